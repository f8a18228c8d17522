/**
 * What a configuration does not use is not loaded (issue 9 §7): the real CLI runs with a module
 * resolve hook that writes every file it imports to a list. The Dummy interface with HTTP loads the
 * simulator and fastify but no energy source, no MQTT, no serialport and no TCP transport; the TCP
 * interface without HTTP loads neither the simulator nor fastify; a configured URL source is loaded.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { dummyConfig, freePort, getJson, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

/** Runs the CLI with `config` until it logged its start, and returns the files it imported. */
async function importedFiles(dir: string, config: Record<string, unknown>, ready: (out: string) => Promise<boolean>): Promise<string[]> {
  const list = join(dir, "imports.txt");
  writeFileSync(list, "");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (!r.url.startsWith("node:")) appendFileSync(${JSON.stringify(list)}, r.url + "\\n");
  return r;
}
`,
  );
  const register = join(dir, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const cli = spawnCli(["--config", writeConfig(dir, config)], { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` });
  try {
    const exited = cli.exited.then((code) => Promise.reject(new Error(`exited with ${code}: ${cli.output()}`)));
    await Promise.race([waitFor(() => ready(cli.output()), 30_000, `start-up: ${cli.output()}`), exited]);
  } finally {
    assert.equal(await cli.kill("SIGTERM"), 0, cli.output());
  }
  return readFileSync(list, "utf8").split("\n").filter((l) => l !== "");
}

const loaded = (files: readonly string[], part: string): boolean => files.some((f) => f.includes(part));

const UNUSED_BY_DUMMY = [
  "/src/energy/url-source.ts",
  "/src/energy/hass-source.ts",
  "/src/energy/mqtt-source.ts",
  "/src/energy/demo-source.ts",
  "/src/transport/tcp.ts",
  "/src/transport/serial.ts",
  "/node_modules/mqtt/",
  "/node_modules/serialport/",
  "/node_modules/mysql2/",
];

test("the Dummy interface with HTTP loads no energy source, MQTT, serialport or TCP transport", { timeout: 60_000 }, async () => {
  const t = tempDir("twcm-lazy-");
  try {
    const port = await freePort();
    const files = await importedFiles(t.dir, dummyConfig(join(t.dir, "settings"), port), async () => Boolean(await getJson(port, "/api/getStatus")));
    assert.ok(loaded(files, "/src/sim/sim-bus.ts"), "the simulator is loaded for Dummy");
    assert.ok(loaded(files, "/node_modules/fastify/"), "fastify is loaded for HTTP");
    for (const part of UNUSED_BY_DUMMY) assert.equal(loaded(files, part), false, `${part} is not loaded`);
  } finally {
    t.cleanup();
  }
});

test("the TCP interface without HTTP loads neither the simulator nor fastify; a URL source is loaded when configured", { timeout: 60_000 }, async () => {
  const t = tempDir("twcm-lazy-");
  try {
    const closed = await freePort();
    const config = dummyConfig(join(t.dir, "settings"), 0, {
      interface: { TCP: { enabled: true, server: "127.0.0.1", port: closed } },
      sources: { URL: { enabled: true, url: `http://127.0.0.1:${closed}/m`, generationItem: "g" } },
    });
    delete config.control;
    const files = await importedFiles(t.dir, config, (out) => Promise.resolve(/TWCManager .* started/.test(out)));
    assert.ok(loaded(files, "/src/transport/tcp.ts"));
    assert.ok(loaded(files, "/src/energy/url-source.ts"));
    for (const part of ["/src/sim/", "/node_modules/fastify/", "/src/http/app.ts", "/src/energy/demo-source.ts", "/node_modules/mqtt/"])
      assert.equal(loaded(files, part), false, `${part} is not loaded`);
  } finally {
    t.cleanup();
  }
});
