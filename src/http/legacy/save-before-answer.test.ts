/**
 * Every legacy route that changes settings answers only once the change is on disk (docs/decisions.md
 * "Save before answering"): the 2xx waits for Commands.saved(); a failed save answers 500 naming the
 * errno. Through the full app with app.inject() and a Commands fake whose save the test controls.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmpdir } from "node:os";
import pino from "pino";
import type { Commands } from "../../engine/commands.ts";
import { TwcError } from "../../shared/errors.ts";
import { StateStore } from "../../state/store.ts";
import { createApp, type LegacyViews } from "../app.ts";
import { httpConfig, stubViews } from "../security/test-app.test-helper.ts";

const views: LegacyViews = stubViews();

/** [path, body, expected 2xx] of every settings-changing legacy route. */
const ROUTES: [string, unknown, number][] = [
  ["/api/chargeNow", { chargeNowRate: 10, chargeNowDuration: 60 }, 200],
  ["/api/cancelChargeNow", undefined, 200],
  ["/api/addConsumptionOffset", { offsetName: "pump", offsetValue: 5, offsetUnit: "A" }, 200],
  ["/api/deleteConsumptionOffset", { offsetName: "pump" }, 200],
  ["/api/setConsumptionOffset", { offset: 1 }, 204],
  ["/api/setSetting", { setting: "homeLat", value: 1 }, 204],
  ["/api/setScheduledChargingSettings", { enabled: true, startingMinute: 60, endingMinute: 120, amps: 10, monday: true }, 202],
  ["/api/setLatLon", { lat: 1, lon: 2 }, 204],
];

function app(saved: () => Promise<void>): ReturnType<typeof createApp> {
  const noop = (): void => undefined;
  const commands = {
    chargeNow: noop,
    cancelChargeNow: noop,
    addOffset: noop,
    deleteOffset: noop,
    offsetNames: () => ["pump"],
    setLegacyOffset: noop,
    setSetting: noop,
    setSchedule: noop,
    setLatLon: noop,
    saved,
  } as unknown as Commands;
  return createApp({
    logger: pino({ level: "silent" }),
    views,
    commands,
    state: new StateStore({} as never),
    httpConfig: httpConfig({}),
    rawConfig: {},
    tls: false,
    webRoot: join(tmpdir(), "twcm-no-such-web-root"),
  });
}

const inject = (a: ReturnType<typeof createApp>, path: string, body: unknown) =>
  a.inject({ method: "POST", url: path, remoteAddress: "127.0.0.1", ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

test("a settings change is answered only after its save completed", async () => {
  let finish: () => void = () => undefined;
  const a = app(() => new Promise<void>((r) => (finish = r)));
  for (const [path, body, status] of ROUTES) {
    let answered = false;
    const pending = inject(a, path, body).then((r) => ((answered = true), r));
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    assert.equal(answered, false, `${path} answered before the save`);
    finish();
    assert.equal((await pending).statusCode, status, path);
  }
  await a.close();
});

test("a failed save answers 500 naming the errno", async () => {
  const a = app(() =>
    Promise.reject(new TwcError({ code: "STORE_SETTINGS_WRITE", message: "cannot save", context: { errno: "ENOSPC" } })),
  );
  for (const [path, body] of ROUTES) {
    const r = await inject(a, path, body);
    assert.equal(r.statusCode, 500, path);
    assert.match(r.json<{ error: string }>().error, /^Failed to save settings: ENOSPC /, path);
  }
  await a.close();
});
