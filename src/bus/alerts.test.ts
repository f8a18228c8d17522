/**
 * The one alert class (alerts.ts), and `since` in local time with offset for alerts raised by the bus
 * controller and by the engine alike (http-api §1: times in v2 documents are local with offset).
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import pino from "pino";
import { isoLocal } from "../policy/local-time.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { twcId } from "../protocol/frames.ts";
import { FakeClock } from "../shared/clock.ts";
import { AlertSet } from "./alerts.ts";
import { BusController } from "./controller.ts";
import type { BusIo } from "./controller-types.ts";
import { startHarness, type Harness } from "../engine/engine-harness.test-helper.ts";

const BERLIN = (ms: number): string => isoLocal(ms, "Europe/Berlin");
/** 2026-11-23 23:00:00 UTC: midnight in Berlin, winter time (+01:00). */
const WINTER_MS = Date.UTC(2026, 10, 23, 23, 0, 0);

void describe("AlertSet", () => {
  void it("keeps the first since, reports changes and takes the severity from its table", () => {
    const a = new AlertSet(BERLIN);
    assert.equal(a.raise("FOREIGN_MASTER", "m1", WINTER_MS), true);
    assert.equal(a.raise("FOREIGN_MASTER", "m1", WINTER_MS + 5_000), false, "same message: no change");
    assert.equal(a.set("FOREIGN_MASTER", true, "m2", WINTER_MS + 9_000), true, "new message: a change");
    assert.equal(a.raise("CHARGER_ERROR_STATE", "e", WINTER_MS + 1_000, "4142"), true);
    assert.deepEqual(a.list(), [
      { code: "FOREIGN_MASTER", severity: "error", message: "m2", since: "2026-11-24T00:00:00.000+01:00" },
      {
        code: "CHARGER_ERROR_STATE",
        severity: "warning",
        message: "e",
        since: "2026-11-24T00:00:01.000+01:00",
        twcId: "4142",
      },
    ]);
    assert.equal(a.has("CHARGER_ERROR_STATE"), true, "any charger");
    assert.equal(a.has("CHARGER_ERROR_STATE", "4344"), false);
    assert.equal(a.clear("CHARGER_ERROR_STATE"), false, "the bus-wide key was never raised");
    assert.equal(a.set("CHARGER_ERROR_STATE", false, "", WINTER_MS, "4142"), true);
    assert.equal(a.clear("FOREIGN_MASTER"), true);
    assert.deepEqual(a.list(), []);
  });
});

void describe("since is local time with offset", () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  void it("BUS_DISCONNECTED of a bus controller uses the injected formatter", () => {
    const clock = new FakeClock(WINTER_MS);
    const closeCbs: (() => void)[] = [];
    const io: BusIo = {
      onFrame: () => undefined,
      onOpen: () => undefined,
      onClose: (cb) => closeCbs.push(cb),
      writeFrame: () => Promise.resolve(),
      isReceiverQuiet: () => true,
    };
    const ctl = new BusController({
      clock,
      io,
      logger: pino({ level: "silent" }),
      config: {
        mode: "master",
        slaveTimeoutS: 26,
        wiringMaxAmpsPerTWC: 32,
        wiringMaxAmpsAllTWCs: 32,
        useFlexAmpsToStartCharge: false,
        startStopDelayS: 60,
        minAmpsPerTWC: 6,
      },
      iso: BERLIN,
    });
    for (const cb of closeCbs) cb();
    assert.deepEqual(
      ctl.alerts().map((a) => [a.code, a.since]),
      [["BUS_DISCONNECTED", "2026-11-24T00:00:00.000+01:00"]],
    );
  });

  void it("alerts of the bus controller and of the engine share one format in the state document", async () => {
    h = await startHarness({ slaves: [], timeZone: "Europe/Berlin", startMs: WINTER_MS });
    // Another master on the bus: raised by the bus controller (link.ts effect).
    h.sim.injectNoise(encodeFrame({ kind: "masterLinkReady2", sender: twcId(0x2222), sign: 1 }));
    await h.run(31_000); // no charger linked for 30 s: NO_CHARGERS, raised by the engine
    const alerts = h.engine.state.snapshot.alerts;
    const since = (code: string): string | undefined => alerts.find((a) => a.code === code)?.since;
    assert.match(since("FOREIGN_MASTER") ?? "", /^2026-11-24T00:00:\d\d\.\d{3}\+01:00$/, JSON.stringify(alerts));
    assert.match(since("NO_CHARGERS") ?? "", /^2026-11-24T00:00:3\d\.\d{3}\+01:00$/, JSON.stringify(alerts));
    for (const a of alerts) assert.match(a.since, /\+01:00$/, `${a.code}: ${a.since}`);
  });
});
