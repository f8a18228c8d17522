import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { periodSuffix, RotatingFile, rotatedFiles, surplusBackups } from "./rotating-file.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 2, 18, 10, 0);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "twcm-rot-"));
  dirs.push(dir);
  return { dir, file: join(dir, "logs", "twcmanager.log") };
}
const names = (dir: string): string[] => readdirSync(join(dir, "logs")).sort();

describe("periodSuffix", () => {
  it("names periods as upstream's TimedRotatingFileHandler: %Y-%m-%d_%H hourly, %Y-%m-%d daily, in local time", () => {
    assert.equal(periodSuffix(T0, "H", "UTC"), "2026-12-02_18");
    assert.equal(periodSuffix(T0, "midnight", "UTC"), "2026-12-02");
    assert.equal(periodSuffix(T0, "H", "Europe/Berlin"), "2026-12-02_19");
    assert.equal(periodSuffix(Date.UTC(2026, 11, 2, 23, 30), "midnight", "Europe/Berlin"), "2026-12-03");
  });
});

describe("rotatedFiles and surplusBackups", () => {
  const base = "twcmanager.log";
  const all = ["twcmanager.log", "twcmanager.log.2026-12-02_18.1", "other.log.2026-12-01_01", "twcmanager.log.2026-12-02_09", "twcmanager.log.2026-12-02_18", "twcmanager.log.2026-12-01", "twcmanager.log.bak"];
  it("finds this file's rotated names, oldest first", () => {
    assert.deepEqual(rotatedFiles(all, base), ["twcmanager.log.2026-12-01", "twcmanager.log.2026-12-02_09", "twcmanager.log.2026-12-02_18", "twcmanager.log.2026-12-02_18.1"]);
  });
  it("deletes the oldest beyond the cap (at least one is kept)", () => {
    assert.deepEqual(surplusBackups(all, base, 2), ["twcmanager.log.2026-12-01", "twcmanager.log.2026-12-02_09"]);
    assert.deepEqual(surplusBackups(all, base, 0), surplusBackups(all, base, 1));
    assert.deepEqual(surplusBackups(all, base, 10), []);
  });
});

describe("RotatingFile on a fake clock", () => {
  it("rotates hourly: the old file gets its hour's name, new lines go to a fresh file", () => {
    const { dir, file } = temp();
    const f = new RotatingFile({ file, when: "H", backupCount: 24, nowMs: T0, timeZone: "UTC" });
    f.write("a\n", T0);
    f.write("b\n", T0 + 49 * 60_000); // 18:59
    f.write("c\n", T0 + 50 * 60_000); // 19:00
    assert.deepEqual(names(dir), ["twcmanager.log", "twcmanager.log.2026-12-02_18"]);
    assert.equal(readFileSync(`${file}.2026-12-02_18`, "utf8"), "a\nb\n");
    assert.equal(readFileSync(file, "utf8"), "c\n");
    f.close();
  });

  it("keeps at most backupCount rotated files, deleting the oldest", () => {
    const { dir, file } = temp();
    const f = new RotatingFile({ file, when: "H", backupCount: 3, nowMs: T0, timeZone: "UTC" });
    for (let h = 0; h < 8; h++) f.write(`line ${h}\n`, T0 + h * H);
    assert.deepEqual(names(dir), [
      "twcmanager.log",
      "twcmanager.log.2026-12-02_22",
      "twcmanager.log.2026-12-02_23",
      "twcmanager.log.2026-12-03_00",
    ]);
    assert.equal(readFileSync(file, "utf8"), "line 7\n");
    assert.equal(readFileSync(`${file}.2026-12-03_00`, "utf8"), "line 6\n");
    f.close();
  });

  it("daily at midnight; an hour without lines rotates at the next line", () => {
    const { dir, file } = temp();
    const f = new RotatingFile({ file, when: "midnight", backupCount: 7, nowMs: T0, timeZone: "UTC" });
    f.write("tue\n", T0);
    f.write("thu\n", T0 + 48 * H);
    assert.deepEqual(names(dir), ["twcmanager.log", "twcmanager.log.2026-12-02"]);
    f.close();
  });

  it("an existing file belongs to the period of its last write (as upstream: its mtime)", () => {
    const { dir, file } = temp();
    new RotatingFile({ file, when: "H", backupCount: 24, nowMs: T0, timeZone: "UTC" }).close();
    writeFileSync(file, "yesterday\n");
    utimesSync(file, new Date(T0 - 24 * H), new Date(T0 - 24 * H));
    const f = new RotatingFile({ file, when: "H", backupCount: 24, nowMs: T0, timeZone: "UTC" });
    f.write("today\n", T0);
    assert.deepEqual(names(dir), ["twcmanager.log", "twcmanager.log.2026-12-01_18"]);
    f.close();
  });

  it("never overwrites a rotated file: a second one of the same period gets .1", () => {
    const { dir, file } = temp();
    const f = new RotatingFile({ file, when: "H", backupCount: 24, nowMs: T0, timeZone: "UTC" });
    f.write("first\n", T0);
    f.write("x\n", T0 + H);
    f.close();
    // The clock went back an hour (an NTP step): the 18 file exists already.
    const g = new RotatingFile({ file, when: "H", backupCount: 24, nowMs: T0, timeZone: "UTC" });
    g.write("again\n", T0);
    g.write("later\n", T0 + H);
    assert.ok(existsSync(`${file}.2026-12-02_18`));
    assert.ok(names(dir).some((n) => /^twcmanager\.log\.2026-12-02_\d\d\.1$/.test(n)), names(dir).join(" "));
    g.close();
  });

  it("never rotates with when: never; reopen() after an external rename writes to a new file at the path", () => {
    const { dir, file } = temp();
    const f = new RotatingFile({ file, when: "never", backupCount: 1, nowMs: T0 });
    f.write("before\n", T0);
    renameSync(file, `${file}.1`); // logrotate
    f.write("late\n", T0 + 30 * H); // still the open file
    f.reopen(T0 + 30 * H);
    f.write("after\n", T0 + 30 * H);
    assert.deepEqual(names(dir), ["twcmanager.log", "twcmanager.log.1"]);
    assert.equal(readFileSync(`${file}.1`, "utf8"), "before\nlate\n");
    assert.equal(readFileSync(file, "utf8"), "after\n");
    f.close();
    f.write("closed\n", T0 + 31 * H);
    assert.equal(readFileSync(file, "utf8"), "after\n");
  });

  it("a folder that cannot be created is reported once and never throws", () => {
    const { dir } = temp();
    writeFileSync(join(dir, "blocker"), "a file where the folder should be");
    const errors: string[] = [];
    const f = new RotatingFile({ file: join(dir, "blocker", "twcmanager.log"), when: "H", backupCount: 2, nowMs: T0, onError: (m) => errors.push(m) });
    f.write("x\n", T0);
    f.write("y\n", T0 + 1);
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0] ?? "", /opening .*blocker.*twcmanager\.log failed/);
  });
});
