/** The CSV sink (csv.ts): quoting, one header per file, a file moved away (logrotate) is started again. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvField, csvLine, csvSink, CSV_FILES } from "./csv.ts";
import type { LogEvent } from "./events.ts";

test("fields: RFC 4180 quoting only when needed, null is empty", () => {
  assert.equal(csvField(null), "");
  assert.equal(csvField(12.5), "12.5");
  assert.equal(csvField("ABCD"), "ABCD");
  assert.equal(csvField('a,"b"'), '"a,""b"""');
  assert.equal(csvLine(["x", null, 3]), "x,,3\n");
});

test("one header per file, rows appended; a file moved away is created again with its header; a session is one row at its end", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-csv-"));
  try {
    const sink = csvSink(join(dir, "csv"));
    await sink.open(() => undefined);
    const at = new Date(2026, 10, 23, 10, 0, 0).getTime();
    const green = (i: number): LogEvent => ({ kind: "greenEnergy", atMs: at + i * 60_000, genW: 1000 + i, conW: 200.1234, chgW: 0 });
    await sink.write(green(0));
    await sink.write(green(1));
    const file = join(dir, "csv", CSV_FILES.greenEnergy);
    assert.equal(readFileSync(file, "utf8"), "time,genW,conW,chgW\n2026-11-23 10:00:00,1000,200.123,0\n2026-11-23 10:01:00,1001,200.123,0\n");
    renameSync(file, `${file}.1`);
    await sink.write(green(2));
    assert.equal(readFileSync(file, "utf8"), "time,genW,conW,chgW\n2026-11-23 10:02:00,1002,200.123,0\n");
    writeFileSync(join(dir, "csv", CSV_FILES.slaveStatus), "");
    await sink.write({ kind: "slaveStatus", atMs: at, twcId: "ABCD", kWh: 1234, volts: [230.4, 0, 0] });
    assert.equal(readFileSync(join(dir, "csv", CSV_FILES.slaveStatus), "utf8"), "slaveTWC,time,kWh,voltsPhaseA,voltsPhaseB,voltsPhaseC\nABCD,2026-11-23 10:00:00,1234,230,0,0\n");
    await sink.write({ kind: "sessionStart", chargeId: 1, twcId: "ABCD", startMs: at, startKWh: 1 });
    await sink.write({ kind: "sessionVin", chargeId: 1, twcId: "ABCD", startMs: at, vin: "X" });
    await sink.write({ kind: "sessionStop", chargeId: 1795, twcId: "ABCD", startMs: at, startKWh: 1, endMs: at + 3_600_000, endKWh: null, vin: null });
    assert.equal(
      readFileSync(join(dir, "csv", CSV_FILES.chargeSessions), "utf8"),
      "chargeid,startTime,startkWh,slaveTWC,endTime,endkWh,vehicleVIN\n1795,2026-11-23 10:00:00,1,ABCD,2026-11-23 11:00:00,,\n",
    );
    await sink.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a path that is a file is a clear error at open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-csv-"));
  try {
    writeFileSync(join(dir, "f"), "");
    await assert.rejects(csvSink(join(dir, "f")).open(() => undefined), /^Error: logging\.CSV\.path .*\/f is not a usable directory: EEXIST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
