/**
 * Logs for people with the real CLI process (issue 13 §2): readable lines on stdout (no colours when it
 * is not a terminal, as under journald), JSON lines as an option with every key once, the FileLogger's
 * readable file reopened on SIGHUP after a rename (also a SIGHUP during start-up never ends the
 * process), upstream's sample Sentry section silent, the recent lines on /api/v2/logs, and SIGTERM
 * still a graceful shutdown with exit code 0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { dummyConfig, freePort, getJson, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

const READABLE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S+ +\S/;

test("readable lines on stdout and in the file; SIGHUP at start-up and after a rename keeps it running; Sentry's sample is silent", { timeout: 90_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const logDir = join(t.dir, "logs");
  const config = dummyConfig(join(t.dir, "settings"), port, {
    logging: { Console: { enabled: true }, FileLogger: { enabled: true, path: logDir }, Sentry: { enabled: true, DSN: "" } },
  });
  const cli = spawnCli(["--config", writeConfig(t.dir, config)]);
  const log = join(logDir, "twcmanager.log");
  try {
    // As early as the process says anything (the product is still starting): SIGHUP must not end it.
    await waitFor(() => cli.output().length > 0, 20_000, "the first output");
    cli.child.kill("SIGHUP");
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "the product to start");
    assert.equal(cli.child.exitCode, null, `alive after a SIGHUP during start-up: ${cli.output()}`);
    await waitFor(() => /TWCManager \S+ started/.test(cli.output()), 10_000, "the started line");

    const lines = cli.output().split("\n").filter((l) => l !== "");
    const started = lines.find((l) => /TWCManager \S+ started/.test(l)) ?? "";
    assert.match(started, READABLE);
    assert.match(started, / INFO {2}controller TWCManager \S+ started \(Dummy\)/);
    assert.ok(!cli.output().includes("\u001b["), "no colours when stdout is not a terminal");
    assert.ok(!lines.some((l) => l.startsWith("{")), "no JSON lines by default");
    assert.ok(!/Sentry/.test(cli.output()), `upstream's Sentry sample (empty DSN) is silent:\n${cli.output()}`);

    await waitFor(() => existsSync(log) && /started/.test(readFileSync(log, "utf8")), 10_000, "the file's first lines");
    const fileLines = readFileSync(log, "utf8").split("\n").filter((l) => l !== "");
    assert.ok(fileLines.every((l) => READABLE.test(l)), fileLines.join("\n"));

    renameSync(log, `${log}.old`); // what logrotate does before it signals
    cli.child.kill("SIGHUP");
    await waitFor(() => existsSync(log) && /log file reopened/.test(readFileSync(log, "utf8")), 10_000, "the reopened file");
    assert.equal(cli.child.exitCode, null, "still running");
    assert.ok(await getJson(port, "/api/getStatus"), "still serving");
    assert.match(readFileSync(log, "utf8"), / INFO {2}logging +received SIGHUP: log file reopened/);
    // The start-up SIGHUP's line is in the renamed file; the second one only in the new file.
    assert.equal(readFileSync(`${log}.old`, "utf8").split("log file reopened").length - 1, 1);
    assert.equal(readFileSync(log, "utf8").split("log file reopened").length - 1, 1);

    // The same lines, recent first in the ring, for the Logs page (this machine, no auth configured).
    const res = await fetch(`http://127.0.0.1:${port}/api/v2/logs?module=controller`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { records: { module: string; line: string }[] };
    assert.ok(doc.records.length > 0 && doc.records.every((r) => r.module === "controller"));
    assert.ok(doc.records.some((r) => / started \(Dummy\)/.test(r.line)));
  } finally {
    const code = await cli.kill("SIGTERM");
    assert.equal(code, 0, `SIGTERM still shuts down with 0: ${cli.output()}`);
    assert.match(cli.output(), /received SIGTERM/);
    t.cleanup();
  }
});

test("logging.Console.format json: JSON lines, each key once; a Sentry DSN gets the one warning", { timeout: 60_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const config = dummyConfig(join(t.dir, "settings"), port, {
    logging: { Console: { enabled: true, format: "json" }, Sentry: { enabled: true, DSN: "https://INTEGRATIONKEY@o1.ingest.sentry.io/1" } },
  });
  const cli = spawnCli(["--config", writeConfig(t.dir, config)]);
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "the product to start");
    await waitFor(() => /started/.test(cli.output()), 10_000, "the started line");
    const lines = cli.output().split("\n").filter((l) => l.startsWith("{"));
    assert.ok(lines.length > 0, cli.output());
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof record.level, "number");
      assert.equal(typeof record.time, "number");
      // The child loggers bind `module` and many calls pass it again: the line still has it once.
      if (typeof record.module === "string") assert.equal(line.split('"module":').length - 1, 1, line);
    }
    assert.ok(lines.filter((l) => l.includes('"module":')).length > 3, "lines with a module were checked");
    assert.ok(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg?.startsWith("logging.Sentry is not supported") === true), cli.output());
    assert.ok(!cli.output().includes("INTEGRATIONKEY"), "the DSN is never logged");
    assert.equal(cli.output().match(/logging\.Sentry is not supported/g)?.length, 1);
  } finally {
    assert.equal(await cli.kill("SIGTERM"), 0, cli.output());
    t.cleanup();
  }
});
