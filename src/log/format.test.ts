import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLine, jsonLine, levelName, levelNumber, lineTime, oneLine, textLine, type LogRecord } from "./format.ts";

const AT = Date.UTC(2026, 11, 2, 18, 1, 2, 345);
const rec = (extra: Partial<LogRecord> = {}): LogRecord => ({ level: 30, time: AT, module: "TWCMaster", msg: "offering 16 A", ...extra });

describe("textLine", () => {
  it("time, level, module, message and key=value fields in TWCManager's columns", () => {
    assert.equal(
      textLine(rec({ amps: 16, twcID: "AB12", ok: true, none: null }), { timeZone: "UTC" }),
      "2026-12-02 18:01:02.345 INFO  TWCMaster  offering 16 A amps=16 twcID=AB12 ok=true none=null",
    );
    assert.equal(textLine(rec({ level: 50, module: "energy" }), { timeZone: "UTC" }).slice(24, 41), "ERROR energy     ");
  });

  it("local time of the given zone", () => {
    assert.equal(lineTime(AT, "Europe/Berlin"), "2026-12-02 19:01:02.345");
    assert.match(textLine(rec(), { timeZone: "Europe/Berlin" }), /^2026-12-02 19:01:02\.345 INFO /);
  });

  it("the code in brackets after the message; objects, spaces and quotes as JSON", () => {
    assert.equal(
      textLine(rec({ code: "SOURCE_FAILED", url: "http://h/x?a=1", reason: 'said "no"', list: [1, 2] }), { timeZone: "UTC" }),
      '2026-12-02 18:01:02.345 INFO  TWCMaster  offering 16 A (SOURCE_FAILED) url="http://h/x?a=1" reason="said \\"no\\"" list=[1,2]',
    );
  });

  it("an error as its type, message and first stack frame, on the same line", () => {
    const err = { type: "TypeError", message: "x is undefined", stack: "TypeError: x is undefined\n    at run (/app/src/a.ts:12:3)\n    at b (/app/b.ts:1:1)" };
    assert.match(textLine(rec({ err }), { timeZone: "UTC" }), / err="TypeError: x is undefined \(at \/app\/src\/a\.ts:12:3\)"$/);
  });

  it("one line per record: newlines and control characters in message, keys and values are escaped", () => {
    const line = textLine(rec({ msg: "a\nINFO forged\r\u001b[31m", "k\ney": "v\nw" }), { timeZone: "UTC" });
    assert.ok(!line.includes("\n") && !line.includes("\r") && !line.includes("\u001b"), line);
    assert.match(line, / a\\nINFO forged\\r\\u001b\[31m k/);
    assert.match(line, /k\\ney="v\\nw"$/);
    assert.equal(oneLine("tab\tkept"), "tab\tkept");
  });

  it("no module: a dash keeps the columns", () => {
    assert.equal(textLine({ level: 40, time: AT, msg: "m" }, { timeZone: "UTC" }), "2026-12-02 18:01:02.345 WARN  -          m");
  });

  it("simple: no time, compact level and [module]", () => {
    assert.equal(textLine(rec({ level: 40, module: "energy", code: "X" }), { simple: true }), "WARN [energy] offering 16 A (X)");
  });

  it("colours only when asked (a terminal), never otherwise", () => {
    assert.ok(!textLine(rec(), { timeZone: "UTC" }).includes("\u001b"));
    const coloured = textLine(rec(), { timeZone: "UTC", color: true });
    assert.ok(coloured.includes("\u001b[32mINFO "), coloured);
    assert.equal(coloured.split("\u001b[").map((p, i) => (i === 0 ? p : p.replace(/^\d+m/, ""))).join(""), textLine(rec(), { timeZone: "UTC" }));
  });
});

describe("jsonLine and formatLine", () => {
  it("JSON is pino's record, each key once", () => {
    const line = jsonLine(rec({ port: 8080 }));
    assert.deepEqual(JSON.parse(line), { level: 30, time: AT, module: "TWCMaster", msg: "offering 16 A", port: 8080 });
    assert.equal(line.match(/"module"/g)?.length, 1);
  });

  it("formatLine ends every line with one newline", () => {
    assert.equal(formatLine(rec(), { format: "json" }), `${jsonLine(rec())}\n`);
    assert.equal(formatLine(rec(), { format: "text", timeZone: "UTC" }), `${textLine(rec(), { timeZone: "UTC" })}\n`);
  });
});

describe("level names", () => {
  it("maps pino's numbers and names both ways", () => {
    assert.deepEqual([10, 20, 30, 40, 50, 60, 35].map(levelName), ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "35"]);
    assert.equal(levelNumber("warn"), 40);
    assert.equal(levelNumber("ERROR"), 50);
    assert.equal(levelNumber("45"), 45);
    assert.equal(levelNumber("loud"), null);
  });
});
