/** Test fixtures for the v2, SSE, metrics and legacy history/config tests: a real state store and createApp(). */
import { stubViews } from "../security/test-app.test-helper.ts";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { loadConfigText } from "../../config/load.ts";
import type { Commands } from "../../engine/commands.ts";
import { initialStateDocument } from "../../engine/state-projection.ts";
import { isoLocal } from "../../policy/local-time.ts";
import type { Clock } from "../../shared/clock.ts";
import type { HistoryReader } from "../../history/history-db.ts";
import { StateStore } from "../../state/store.ts";
import type { Charger } from "../../state/types.ts";
import { createApp, type HttpDeps, type LegacyViews } from "../app.ts";
import type { MetricsSources } from "../metrics.ts";

/** A state store as the engine creates it (config with wiringMaxAmpsAllTWCs 32). */
export function testStore(nowMs: number): StateStore {
  const { config } = loadConfigText(
    JSON.stringify({
      config: { settingsPath: "/tmp/twcm-test", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 },
      interface: { Dummy: { enabled: true } },
    }),
  );
  const iso = isoLocal(nowMs, "UTC");
  return new StateStore(
    initialStateDocument({
      config: { core: config.core, slaveTimeoutS: 26, policyCheckIntervalS: 30 },
      version: "9.9.9-test",
      startedAtIso: iso,
      nowIso: iso,
      bus: { interfaceName: "Dummy", endpoint: null },
    }),
  );
}

/** A charger entry of the state document. */
export function testCharger(id: string, o: Partial<Charger> = {}): Charger {
  return {
    id,
    protocolVersion: 2,
    ratedAmps: 80,
    wiringMaxAmps: 32,
    minAmps: 6,
    state: 0,
    stateName: "ready",
    reportedAmpsMax: 32,
    reportedAmpsActual: 0,
    ampsOffered: 32,
    ampsDesired: 32,
    charging: false,
    chargingSince: null,
    powerW: 0,
    lifetimeKWh: 1234,
    voltage: { a: 240, b: 0, c: 0 },
    phases: 1,
    vin: { current: null, last: null },
    linkedAt: "2026-11-23T12:00:00.000+00:00",
    lastHeartbeatAt: "2026-11-23T12:00:00.000+00:00",
    ...o,
  };
}

/** Options of v2App. */
export interface V2AppOptions {
  clock?: Clock;
  store?: StateStore;
  history?: HistoryReader;
  metrics?: MetricsSources;
  views?: Partial<LegacyViews>;
  timeZone?: string;
}

/** createApp() with stub commands and views around a real state store. */
export function v2App(o: V2AppOptions): { app: FastifyInstance; store: StateStore } {
  const store = o.store ?? testStore(o.clock?.now() ?? 0);
  const views: LegacyViews = stubViews({ status: () => ({}), uuid: () => "1", ...o.views });
  const deps: HttpDeps = {
    logger: pino({ level: "silent" }),
    views,
    commands: {} as Commands,
    state: store,
    httpConfig: null,
    rawConfig: {},
    tls: false,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.history ? { history: o.history } : {}),
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
  };
  return { app: createApp(deps), store };
}
