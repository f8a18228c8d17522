import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import type { BusControllerEvents } from "../../bus/controller-types.ts";
import { HistoryRecorder, type SlaveSample } from "../../history/history-recorder.ts";
import { twcId } from "../../protocol/frames.ts";
import { FakeClock } from "../../shared/clock.ts";
import { BUCKET_MS, openHistoryDb } from "../../history/history-db.ts";
import { v2App } from "../v2/v2-app.test-helper.ts";
import { LEGACY_HISTORY_ENTRIES, isoSeconds, legacyHistory } from "./history.ts";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/;

class Source extends EventEmitter<BusControllerEvents> {
  list: SlaveSample[] = [];
  slaves(): readonly SlaveSample[] {
    return this.list;
  }
}

function recorder(clock: FakeClock): { rec: HistoryRecorder; beat: (amps: number) => void } {
  const source = new Source();
  const rec = new HistoryRecorder({
    clock,
    store: openHistoryDb(":memory:", quiet),
    source,
    toWatts: (a) => a * 230,
    energy: () => null,
    retentionDays: 90,
    logger: quiet,
  });
  rec.start();
  return {
    rec,
    beat: (amps) => {
      source.list = [{ id: twcId(0x4142), lastHeartbeatAtMs: clock.now(), reportedAmpsActual: amps }];
      source.emit("change");
    },
  };
}

describe("GET /api/getHistory", () => {
  it("has 576 five-minute entries from floor5(now − 48 h + 5 min) to the live current bucket", () => {
    const now = Date.UTC(2026, 10, 23, 11, 57, 10);
    const clock = new FakeClock(now);
    const { rec, beat } = recorder(clock);
    beat(10); // 11:55 bucket, stored at 12:00
    clock.advance(Date.UTC(2026, 10, 23, 12, 0, 0) - clock.now());
    beat(16); // live 12:00 bucket
    clock.advance(125_000); // 12:02:05
    const h = legacyHistory(rec, clock.now(), "Europe/Berlin");
    assert.equal(h.length, LEGACY_HISTORY_ENTRIES);
    assert.equal(h[0]?.timestamp, "2026-11-21T13:05:00+01:00"); // floor5(12:02:05Z − 48 h + 5 min) in CET
    assert.equal(h.at(-1)?.timestamp, "2026-11-23T13:00:00+01:00");
    assert.deepEqual(h.at(-1), { timestamp: "2026-11-23T13:00:00+01:00", charger_power: 16 * 230 });
    assert.deepEqual(h.at(-2), { timestamp: "2026-11-23T12:55:00+01:00", charger_power: 10 * 230 });
    assert.ok(h.slice(0, -2).every((e) => e.charger_power === 0));
    for (let i = 1; i < h.length; i++) {
      assert.match(h[i]!.timestamp, FORMAT);
      assert.equal(Date.parse(h[i]!.timestamp) - Date.parse(h[i - 1]!.timestamp), BUCKET_MS);
    }
    rec.stop();
  });

  it("uses the offset in effect at each instant across a DST change", () => {
    const now = Date.UTC(2026, 2, 30, 9, 0, 0); // Monday after the spring-forward of 29 March 2026
    const h = legacyHistory(null, now, "Europe/Berlin");
    assert.equal(h.length, 576);
    assert.ok(h[0]!.timestamp.endsWith("+01:00"));
    assert.ok(h.at(-1)!.timestamp.endsWith("+02:00"));
    const gap = h.findIndex((e) => e.timestamp.endsWith("+02:00"));
    assert.equal(h[gap - 1]!.timestamp, "2026-03-29T01:55:00+01:00");
    assert.equal(h[gap]!.timestamp, "2026-03-29T03:00:00+02:00");
    assert.ok(h.every((e) => e.charger_power === 0));
  });

  it("isoSeconds drops the milliseconds and keeps the offset", () => {
    assert.equal(
      isoSeconds(Date.UTC(2026, 10, 23, 20, 35, 0, 123), "Europe/Berlin"),
      "2026-11-23T21:35:00+01:00",
    );
    assert.equal(isoSeconds(Date.UTC(2026, 10, 23, 20, 35), "America/New_York"), "2026-11-23T15:35:00-05:00");
  });

  it("is served as JSON by the legacy route", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 3, 0));
    const { rec, beat } = recorder(clock);
    beat(8);
    const { app } = v2App({ clock, views: { history: () => legacyHistory(rec, clock.now(), "UTC") } });
    const res = await app.inject({ method: "GET", url: "/api/getHistory?_=1700000000000" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    const body = res.json<{ timestamp: string; charger_power: number }[]>();
    assert.equal(body.length, 576);
    assert.deepEqual(body.at(-1), { timestamp: "2026-11-23T12:00:00+00:00", charger_power: 8 * 230 });
    await app.close();
    rec.stop();
  });

  it("without a history source every entry is 0", async () => {
    const { app } = v2App({});
    const body = (await app.inject({ method: "GET", url: "/api/getHistory" })).json<
      { charger_power: number }[]
    >();
    assert.equal(body.length, 576);
    assert.ok(body.every((e) => e.charger_power === 0));
    await app.close();
  });
});
