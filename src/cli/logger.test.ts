import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import pino from "pino";
import { FakeClock } from "../shared/clock.ts";
import { closeLogFile, createLogger, logSourceOf, reopenLogFile } from "./logger.ts";

function sink(): { stream: Writable; text(): string } {
  let out = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString("utf8");
      cb();
    },
  });
  return { stream, text: () => out };
}

const SECRETS = ["LOGPASS", "LOGTOKEN", "LOGBEARER", "LOGCOOKIE", "LOGPIN", "LOGKEY", "LOGCHILD", "LOGSTACK"];

function logSecrets(simple: boolean): string {
  const s = sink();
  const log = createLogger({
    level: "debug",
    console: { enabled: true, simple },
    file: null,
    stdout: s.stream,
  });
  const child = log.child({ module: "energy", endpoint: "http://u:LOGCHILD@h/" });
  child.warn(
    {
      code: "SOURCE_FAILED",
      url: "http://user:LOGPASS@10.0.0.2/solar?token=LOGTOKEN",
      headers: { authorization: "Bearer LOGBEARER", cookie: "LOGCOOKIE" },
      pin: "LOGPIN",
      err: new Error("GET http://10.0.0.2/x?apikey=LOGKEY failed: https://a:LOGSTACK@b/"),
    },
    "fetch http://user:LOGPASS@10.0.0.2/solar?token=LOGTOKEN failed",
  );
  log.info({ module: "http", port: 8080 }, "listening on 127.0.0.1:8080");
  return s.text();
}

describe("createLogger redacts every line", () => {
  it("JSON lines: fields by name, strings (message, url, error stack, child bindings) by value", () => {
    const text = logSecrets(false);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
    const [warn, info] = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(warn?.msg, "fetch http://(hidden)@10.0.0.2/solar?token=(hidden) failed");
    assert.equal(warn?.pin, "(hidden)");
    assert.equal(warn?.code, "SOURCE_FAILED");
    assert.deepEqual(info, {
      level: 30,
      time: info?.time,
      module: "http",
      port: 8080,
      msg: "listening on 127.0.0.1:8080",
    });
  });

  it("simple console lines", () => {
    const text = logSecrets(true);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
    assert.match(
      text,
      /WARN \[energy\] fetch http:\/\/\(hidden\)@10\.0\.0\.2\/solar\?token=\(hidden\) failed \(SOURCE_FAILED\)/,
    );
  });
});

describe("createLogger formats (issue 13 §2)", () => {
  it("the readable line: time, level, module, message, fields — secrets redacted there too", () => {
    const s = sink();
    const clock = new FakeClock(Date.UTC(2026, 11, 2, 18, 1, 2, 3));
    const log = createLogger({ level: "info", console: { enabled: true, simple: false, format: "text" }, file: null, stdout: s.stream, clock, timeZone: "UTC" });
    log.child({ module: "TWCMaster" }).info({ module: "TWCMaster", amps: 16, password: "LOGPASS", url: "http://u:LOGPASS@h/?token=LOGTOKEN" }, "offering 16 A");
    assert.equal(s.text(), '2026-12-02 18:01:02.003 INFO  TWCMaster  offering 16 A amps=16 password=(hidden) url="http://(hidden)@h/?token=(hidden)"\n');
  });

  it("JSON lines carry every key once (a child's module and the call's)", () => {
    const s = sink();
    const log = createLogger({ level: "info", console: { enabled: true, simple: false, format: "json" }, file: null, stdout: s.stream });
    log.child({ module: "settings", a: 1 }).warn({ module: "settings", a: 2, code: "SETTINGS_WARNING" }, "w");
    const line = s.text().trim();
    assert.equal(line.match(/"module"/g)?.length, 1, line);
    assert.equal(line.match(/"a"/g)?.length, 1, line);
    assert.deepEqual(JSON.parse(line), { level: 40, time: (JSON.parse(line) as { time: number }).time, module: "settings", a: 2, code: "SETTINGS_WARNING", msg: "w" });
  });

  it("levels below the logger's level are dropped everywhere", () => {
    const s = sink();
    const log = createLogger({ level: "warn", console: { enabled: true, simple: true }, file: null, stdout: s.stream });
    log.info("hidden");
    log.warn("shown");
    assert.equal(s.text(), "WARN [-] shown\n");
    assert.deepEqual(logSourceOf(log)?.recent().map((e) => e.record.msg), ["shown"]);
  });
});

describe("createLogger keeps the recent records (the Logs page)", () => {
  it("redacted, in order, also without any console or file", () => {
    const log = createLogger({ level: "debug", console: { enabled: false, simple: false }, file: null });
    log.child({ module: "mqtt" }).debug({ password: "LOGPASS" }, "connect mqtt://u:LOGPASS@broker");
    log.info("two");
    const entries = logSourceOf(log)?.recent() ?? [];
    assert.deepEqual(entries.map((e) => [e.seq, e.record.module, e.record.msg, e.record.password]), [
      [1, "mqtt", "connect mqtt://(hidden)@broker", "(hidden)"],
      [2, undefined, "two", undefined],
    ]);
    assert.equal(logSourceOf(pino({ level: "silent" })), null);
  });
});

describe("createLogger's FileLogger", () => {
  it("writes readable lines to <path>/twcmanager.log, rotates hourly on the clock, reopens after an external rename", () => {
    const dir = mkdtempSync(join(tmpdir(), "twcm-logger-"));
    try {
      const clock = new FakeClock(Date.UTC(2026, 11, 2, 18, 59, 0));
      const path = join(dir, "log");
      const log = createLogger({ level: "info", console: { enabled: false, simple: false }, file: { enabled: true, path, format: "text", when: "H", backupCount: 2 }, clock, timeZone: "UTC" });
      const file = join(path, "twcmanager.log");
      log.info({ module: "controller", token: "LOGTOKEN" }, "first");
      clock.advance(60_000);
      log.info({ module: "controller" }, "second");
      assert.deepEqual(readdirSync(path).sort(), ["twcmanager.log", "twcmanager.log.2026-12-02_18"]);
      assert.equal(readFileSync(`${file}.2026-12-02_18`, "utf8"), "2026-12-02 18:59:00.000 INFO  controller first token=(hidden)\n");
      renameSync(file, `${file}.rotated`);
      assert.equal(reopenLogFile(log), true);
      log.info("third");
      assert.match(readFileSync(file, "utf8"), /^2026-12-02 19:00:00\.000 INFO {2}- {10}third\n$/);
      assert.match(readFileSync(`${file}.rotated`, "utf8"), /second\n$/);
      closeLogFile(log);
      assert.equal(reopenLogFile(createLogger({ level: "info", console: { enabled: false, simple: false }, file: null })), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
