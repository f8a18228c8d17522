import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../shared/clock.ts";
import { buildPolicyList } from "./build-list.ts";
import { cancelChargeNowPatch, chargeNowExpired, chargeNowPatch } from "./charge-now.ts";
import { decide } from "./decide.ts";
import { toLocalTime } from "./local-time.ts";
import { sunHoursAt } from "./sun.ts";
import type { Decision, PolicySnapshot } from "./types.ts";

/**
 * A simulated Monday (2026-06-22) in Berlin, one evaluation every 5 minutes on a fake clock, the way the
 * runtime drives the engine: sunrise/sunset from the home location (Berlin → 5 / 22), a 01:00–04:00
 * weekday schedule at 24 A, non-scheduled charging at 10 A, greenEnergyLatch 30 min, Charge Now
 * 32 A for one hour at 18:00 with active expiry, and a solar curve for the green budget.
 * Budget = requested amps, or the green computation for green policies, or 0 for the safe default.
 */
const TZ = "Europe/Berlin";
const WIRING = 40;
const START = Date.parse("2026-06-22T00:00:00+02:00");

/** Simulated green computation (amps): a triangle peaking at 13:00 local. */
function solarAmps(local: { hour: number; min: number }): number {
  const h = local.hour + local.min / 60;
  return Math.max(0, Math.round((18 - Math.abs(h - 13) * 2.5) * 100) / 100);
}

const ROWS: { time: string; event?: string; policy: string; budget: number }[] = [
  { time: "00:00", policy: "Non Scheduled Charging", budget: 10 },
  { time: "00:55", policy: "Non Scheduled Charging", budget: 10 },
  { time: "01:00", policy: "Scheduled Charging", budget: 24 },
  { time: "03:55", policy: "Scheduled Charging", budget: 24 },
  { time: "04:00", policy: "Non Scheduled Charging", budget: 10 },
  { time: "04:55", policy: "Non Scheduled Charging", budget: 10 },
  { time: "05:00", policy: "Track Green Energy", budget: 0 },
  { time: "08:00", policy: "Track Green Energy", budget: 5.5 },
  { time: "13:00", policy: "Track Green Energy", budget: 18 },
  { time: "17:55", policy: "Track Green Energy", budget: 5.71 },
  { time: "18:00", event: "chargeNow 32 A × 3600 s", policy: "Charge Now", budget: 32 },
  { time: "18:55", policy: "Charge Now", budget: 32 },
  { time: "19:00", event: "Charge Now expires", policy: "Track Green Energy", budget: 3 },
  { time: "21:55", policy: "Track Green Energy", budget: 0 },
  { time: "22:00", event: "sunset; latched until 22:25", policy: "Track Green Energy", budget: 0 },
  { time: "22:20", policy: "Track Green Energy", budget: 0 },
  { time: "22:25", policy: "Non Scheduled Charging", budget: 10 },
  { time: "23:55", policy: "Non Scheduled Charging", budget: 10 },
];

void describe("decide over a simulated day (time series)", () => {
  void it("follows the expected policy and budget table", () => {
    const clock = new FakeClock(START);
    const policies = buildPolicyList({ greenEnergyLatch: 30 }).policies;
    const sun = sunHoursAt(52.52, 13.405, START, TZ);
    assert.deepEqual(sun, { sunrise: 5, sunset: 22 });
    const settings: Record<string, unknown> = {
      chargeNowAmps: 0,
      chargeNowTimeEnd: 0,
      hourResumeTrackGreenEnergy: -1,
      nonScheduledAction: 1,
      nonScheduledAmpsMax: 10,
      scheduledAmpsMax: 24,
      scheduledAmpsStartHour: 1,
      scheduledAmpsEndHour: 4,
      scheduledAmpsDaysBitmap: 0b0011111,
      homeLat: 52.52,
      homeLon: 13.405,
      ...sun,
    };
    let state: Pick<PolicySnapshot, "active" | "activeIndex" | "latches" | "forced"> = {
      active: null,
      activeIndex: null,
      latches: new Map(),
      forced: null,
    };
    const seen = new Map<string, { policy: string; budget: number }>();
    const enters: string[] = [];
    const evaluate = (): Decision => {
      const nowMs = clock.now();
      const local = toLocalTime(nowMs, TZ);
      const d = decide({
        now: nowMs / 1000,
        local,
        settings,
        config: { config: { greenEnergyFlexAmps: 2 }, wiringMaxAmpsAllTWCs: WIRING },
        policies,
        ...state,
        greenAmps: () => solarAmps(local),
      });
      state = {
        active: d.policy?.name ?? null,
        activeIndex: d.policy?.index ?? null,
        latches: d.latches,
        forced: d.forced,
      };
      for (const ev of d.events) if (ev.type === "enter") enters.push(`${ev.policy}@${hhmm(local)}`);
      return d;
    };
    const hhmm = (l: { hour: number; min: number }): string =>
      `${String(l.hour).padStart(2, "0")}:${String(l.min).padStart(2, "0")}`;

    for (let step = 0; step < 24 * 12; step++) {
      const local = toLocalTime(clock.now(), TZ);
      const t = hhmm(local);
      const nowS = clock.now() / 1000;
      if (t === "18:00") Object.assign(settings, chargeNowPatch(32, 3600, nowS));
      if (chargeNowExpired(settings, nowS)) Object.assign(settings, cancelChargeNowPatch());
      const d = evaluate();
      const budget = d.policy === null ? 0 : d.policy.green ? solarAmps(local) : (d.requestedAmps ?? 0);
      seen.set(t, { policy: d.policy?.name ?? "None", budget });
      if (d.policy?.green) assert.equal(d.allowedFlex, 2, t);
      clock.advance(5 * 60 * 1000);
    }

    for (const row of ROWS) {
      assert.deepEqual(
        seen.get(row.time),
        { policy: row.policy, budget: row.budget },
        `${row.time} ${row.event ?? ""}`,
      );
    }
    assert.deepEqual(enters, [
      "Non Scheduled Charging@00:00",
      "Scheduled Charging@01:00",
      "Non Scheduled Charging@04:00",
      "Track Green Energy@05:00",
      "Charge Now@18:00",
      "Track Green Energy@19:00",
      "Non Scheduled Charging@22:25",
    ]);
  });
});
