import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isoLocal, localOffsetMinutes, toLocalTime } from "./local-time.ts";

void describe("toLocalTime", () => {
  void it("breaks down a summer instant in Berlin (CEST, DST)", () => {
    // 2026-06-21 12:00 UTC = 14:00 CEST, a Sunday (Monday = 0 → 6), day 172 of the year.
    assert.deepEqual(toLocalTime(Date.UTC(2026, 5, 21, 12, 0, 0), "Europe/Berlin"), {
      year: 2026,
      mon: 6,
      mday: 21,
      hour: 14,
      min: 0,
      sec: 0,
      wday: 6,
      yday: 172,
      isdst: 1,
    });
  });

  void it("breaks down a winter instant in Berlin (CET, no DST) and numbers Monday as 0", () => {
    const lt = toLocalTime(Date.UTC(2026, 10, 23, 20, 36, 5, 999), "Europe/Berlin");
    assert.deepEqual(lt, {
      year: 2026,
      mon: 11,
      mday: 23,
      hour: 21,
      min: 36,
      sec: 5,
      wday: 0,
      yday: 327,
      isdst: 0,
    });
  });

  void it("crosses the date line into the next local day", () => {
    const lt = toLocalTime(Date.UTC(2026, 11, 31, 23, 30), "Europe/Berlin");
    assert.equal(lt.year, 2027);
    assert.equal(lt.mon, 1);
    assert.equal(lt.mday, 1);
    assert.equal(lt.hour, 0);
    assert.equal(lt.yday, 1);
    assert.equal(lt.wday, 4); // 2027-01-01 is a Friday
  });

  void it("counts yday 366 on the last day of a leap year", () => {
    const lt = toLocalTime(Date.UTC(2024, 11, 31, 23, 59, 59, 999), "UTC");
    assert.equal(lt.yday, 366);
    assert.equal(lt.wday, 1); // Tuesday
    assert.equal(lt.isdst, 0);
  });

  void it("detects southern-hemisphere DST (Sydney in January)", () => {
    assert.equal(toLocalTime(Date.UTC(2026, 0, 15, 12), "Australia/Sydney").isdst, 1);
    assert.equal(toLocalTime(Date.UTC(2026, 6, 15, 12), "Australia/Sydney").isdst, 0);
  });

  void it("uses the process's time zone by default", () => {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const t = Date.UTC(2026, 3, 1, 8, 9, 10);
    assert.deepEqual(toLocalTime(t), toLocalTime(t, tz));
  });
});

void describe("localOffsetMinutes", () => {
  void it("reports the UTC offset including DST and half-hour zones", () => {
    assert.equal(localOffsetMinutes(Date.UTC(2026, 5, 21, 12), "Europe/Berlin"), 120);
    assert.equal(localOffsetMinutes(Date.UTC(2026, 0, 21, 12), "Europe/Berlin"), 60);
    assert.equal(localOffsetMinutes(Date.UTC(2026, 0, 21, 12), "America/New_York"), -300);
    assert.equal(localOffsetMinutes(Date.UTC(2026, 0, 21, 12), "Asia/Kolkata"), 330);
    assert.equal(localOffsetMinutes(Date.UTC(2026, 0, 21, 12, 0, 0, 999), "UTC"), 0);
  });

  void it("switches exactly at the DST transition (Berlin, 2026-03-29 01:00 UTC)", () => {
    assert.equal(localOffsetMinutes(Date.UTC(2026, 2, 29, 0, 59, 59, 999), "Europe/Berlin"), 60);
    assert.equal(localOffsetMinutes(Date.UTC(2026, 2, 29, 1, 0, 0), "Europe/Berlin"), 120);
  });
});

void describe("isoLocal", () => {
  void it("formats local time with milliseconds and offset", () => {
    assert.equal(
      isoLocal(Date.UTC(2026, 10, 23, 20, 36, 5, 123), "Europe/Berlin"),
      "2026-11-23T21:36:05.123+01:00",
    );
    assert.equal(
      isoLocal(Date.UTC(2026, 5, 21, 12, 0, 0, 7), "Europe/Berlin"),
      "2026-06-21T14:00:00.007+02:00",
    );
    assert.equal(isoLocal(Date.UTC(2026, 0, 15, 12), "America/St_Johns"), "2026-01-15T08:30:00.000-03:30");
    assert.equal(isoLocal(0, "UTC"), "1970-01-01T00:00:00.000+00:00");
  });

  void it("truncates fractional milliseconds", () => {
    assert.equal(isoLocal(Date.UTC(2026, 0, 1) + 0.9, "UTC"), "2026-01-01T00:00:00.000+00:00");
  });
});

void describe("local time without Intl inside an hour of one offset", () => {
  /** The wall clock straight from Intl, the reference the arithmetic path must match. */
  function intlWallClock(ms: number, timeZone: string): number[] {
    const f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    const parts = Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
    return [parts.year, parts.month, parts.day, (parts.hour ?? 0) % 24, parts.minute, parts.second].map(Number);
  }
  const zones = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "UTC"];

  void it("matches Intl for any instant, DST transitions included (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        const lt = toLocalTime(ms, zone);
        assert.deepEqual([lt.year, lt.mon, lt.mday, lt.hour, lt.min, lt.sec], intlWallClock(ms, zone));
      }),
      { numRuns: 3000 },
    );
  });

  void it("matches Intl second by second across a spring-forward and a fall-back hour", () => {
    // Europe/Amsterdam 2026: 29 March 01:00 UTC (+1 → +2), 25 October 01:00 UTC (+2 → +1); Lord Howe shifts by 30 min at 15:00 UTC.
    for (const [zone, startMs] of [
      ["Europe/Amsterdam", Date.UTC(2026, 2, 29, 0, 0, 0)],
      ["Europe/Amsterdam", Date.UTC(2026, 9, 25, 0, 0, 0)],
      ["Australia/Lord_Howe", Date.UTC(2026, 3, 4, 14, 0, 0)],
    ] as const) {
      for (let ms = startMs; ms < startMs + 2 * 3_600_000; ms += 7_000) {
        const lt = toLocalTime(ms, zone);
        assert.deepEqual([lt.year, lt.mon, lt.mday, lt.hour, lt.min, lt.sec], intlWallClock(ms, zone), `${zone} ${new Date(ms).toISOString()}`);
      }
    }
  });
});
