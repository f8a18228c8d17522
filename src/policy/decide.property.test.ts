import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildPolicyList } from "./build-list.ts";
import { decide } from "./decide.ts";
import type { LocalTime, Policy, PolicySnapshot } from "./types.ts";

const SETTING_KEYS = [
  "chargeNowAmps",
  "chargeNowTimeEnd",
  "hourResumeTrackGreenEnergy",
  "nonScheduledAction",
  "nonScheduledAmpsMax",
  "scheduledAmpsMax",
  "scheduledAmpsStartHour",
  "scheduledAmpsEndHour",
  "scheduledAmpsDaysBitmap",
  "scheduledAmpsFlexStart",
  "scheduledAmpsBatterySize",
  "sunrise",
  "sunset",
  "x",
] as const;

const settingsArb = fc.record(
  Object.fromEntries(
    SETTING_KEYS.map((k) => [
      k,
      fc.oneof(fc.jsonValue(), fc.double(), fc.constantFrom("16", "2", "-1", "1e999", "")),
    ]),
  ),
  { requiredKeys: [] },
);

const localArb: fc.Arbitrary<LocalTime> = fc.record({
  year: fc.integer({ min: 1970, max: 2100 }),
  mon: fc.integer({ min: 1, max: 12 }),
  mday: fc.integer({ min: 1, max: 31 }),
  hour: fc.integer({ min: 0, max: 23 }),
  min: fc.integer({ min: 0, max: 59 }),
  sec: fc.integer({ min: 0, max: 59 }),
  wday: fc.integer({ min: 0, max: 6 }),
  yday: fc.integer({ min: 1, max: 366 }),
  isdst: fc.constantFrom(0 as const, 1 as const),
});

const macroArb = fc.oneof(
  fc.jsonValue(),
  fc.double(),
  fc.constantFrom(
    "settings.x",
    "settings.chargeNowAmps",
    "config.y",
    "nonScheduledAmps()",
    "getMaxAmpsForTargetGridUsage()",
    "checkScheduledCharging()",
    "now",
    "tm_hour",
    "modules.A.b",
  ),
);

const customPolicyArb: fc.Arbitrary<Policy> = fc.record({
  name: fc.constantFrom("A", "B", "Charge Now"),
  match: fc.constant(["settings.x"]),
  condition: fc.constantFrom("gt", "eq", "none").map((c) => [c]),
  value: fc.array(macroArb, { minLength: 1, maxLength: 1 }),
  charge_amps: macroArb,
  allowed_flex: macroArb,
  charge_limit: macroArb,
});

const snapshotArb: fc.Arbitrary<PolicySnapshot> = fc
  .record({
    now: fc.oneof(fc.double({ min: 0, max: 4e9, noNaN: true }), fc.integer({ min: 0, max: 2 ** 32 })),
    local: localArb,
    settings: settingsArb,
    config: fc.record(
      { y: fc.jsonValue(), greenEnergyFlexAmps: fc.jsonValue(), greenEnergyLimit: fc.jsonValue() },
      { requiredKeys: [] },
    ),
    wiring: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.double({ min: 0, max: 80, noNaN: true })),
    custom: fc.array(customPolicyArb, { maxLength: 3 }),
    latch: fc.option(fc.integer({ min: 0, max: 120 })),
    active: fc.option(
      fc.constantFrom("Charge Now", "Track Green Energy", "Non Scheduled Charging", "A", "Gone"),
    ),
    latches: fc.array(fc.tuple(fc.integer({ min: -2, max: 10 }), fc.double({ noNaN: true })), {
      maxLength: 4,
    }),
    forced: fc.option(
      fc.record({
        name: fc.constantFrom("Track Green Energy", "A", "Nope"),
        until: fc.double({ noNaN: true }),
      }),
    ),
    green: fc.option(fc.double()),
    module: fc.option(fc.jsonValue()),
  })
  .map((r) => {
    const policies = buildPolicyList({ greenEnergyLatch: r.latch, extend: { emergency: r.custom } }).policies;
    const snap: PolicySnapshot = {
      now: r.now,
      local: r.local,
      settings: r.settings,
      config: { config: r.config, wiringMaxAmpsAllTWCs: r.wiring },
      policies,
      active: r.active,
      latches: new Map(r.latches),
      forced: r.forced,
      flexVehicle: { batteryLevel: 40, chargeLimit: 80 },
    };
    if (r.green !== null) snap.greenAmps = () => r.green ?? 0;
    if (r.module !== null) snap.moduleAttr = () => ({ value: r.module });
    return snap;
  });

void describe("decide: properties", () => {
  void it("never throws; requestedAmps is null (green) or within 0…wiringMaxAmpsAllTWCs; flex ≥ 0; limit −1 or 50–100", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const d = decide(s);
        if (d.policy === null) assert.equal(d.requestedAmps, 0);
        else if (d.policy.green) assert.equal(d.requestedAmps, null);
        if (d.requestedAmps !== null) {
          assert.ok(Number.isFinite(d.requestedAmps));
          assert.ok(d.requestedAmps >= 0, `negative ${d.requestedAmps}`);
          assert.ok(
            d.requestedAmps <= s.config.wiringMaxAmpsAllTWCs,
            `${d.requestedAmps} > ${s.config.wiringMaxAmpsAllTWCs}`,
          );
        }
        assert.ok(Number.isFinite(d.allowedFlex) && d.allowedFlex >= 0);
        assert.ok(d.chargeLimit === -1 || (d.chargeLimit >= 50 && d.chargeLimit <= 100));
        for (const [i, expiry] of d.latches) {
          assert.ok(i >= 0 && i < s.policies.length && expiry > s.now);
        }
      }),
      { numRuns: 1500 },
    );
  });

  void it("the default list never throws for settings of any JSON type (including non-object values per key)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...SETTING_KEYS), fc.jsonValue()),
        localArb,
        (settings, local) => {
          const d = decide({
            now: 1_790_000_000,
            local,
            settings,
            config: { config: {}, wiringMaxAmpsAllTWCs: 32 },
            policies: buildPolicyList({}).policies,
            active: null,
            latches: new Map(),
            forced: null,
          });
          // Garbage in nonScheduledAction may leave no policy matching: then the safe default applies.
          if (d.policy === null) assert.equal(d.requestedAmps, 0);
          else
            assert.ok(
              d.policy.green ? d.requestedAmps === null : d.requestedAmps! >= 0 && d.requestedAmps! <= 32,
            );
        },
      ),
      { numRuns: 500 },
    );
  });
});
