/**
 * `GET /metrics` (http-api.md §9): Prometheus text exposition format 0.0.4, rendered from the state
 * document plus the bus counters, the settings failure count and the HTTP request counters (counted by
 * an onResponse hook; `route` is the matched route pattern, `unmatched` when no route matched).
 */
import type { FastifyInstance } from "fastify";
import type { ControllerStats } from "../bus/controller-types.ts";
import type { StateDocument } from "../state/types.ts";
import { allowedMethods, requestPath } from "./methods.ts";
import { writeMqttMetrics, type MqttModuleMetrics } from "./metrics-mqtt.ts";

/** Counters the metrics need beyond the state document (every part optional). */
export interface MetricsSources {
  controllerStats?(): ControllerStats;
  /** Transport counters (frame stream). */
  busStats?(): {
    bytesReceived: number;
    writeErrors: number;
    reconnects: number;
    txStaleDropped?: number;
    txOverflowDropped?: number;
    writeStalls?: number;
  };
  settingsSaveFailures?(): number;
  /** Names of every policy in the effective list. */
  policyNames?(): readonly string[];
  /** The MQTT modules' counters (metrics-mqtt.ts). */
  mqttModules?(): readonly MqttModuleMetrics[];
}

/** Everything one rendering reads. */
export interface MetricsInput {
  doc: Readonly<StateDocument>;
  nowMs: number;
  sources: MetricsSources;
  http: ReadonlyMap<string, number>;
  sseClients: number;
}

/** Escapes a label value (backslash, double quote, newline). */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

type Labels = Readonly<Record<string, string>>;

class Writer {
  readonly lines: string[] = [];

  metric(
    name: string,
    type: "gauge" | "counter",
    help: string,
    samples: readonly (readonly [Labels, number])[],
  ): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      if (!Number.isFinite(value)) continue;
      const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      this.lines.push(`${name}${l.length > 0 ? `{${l.join(",")}}` : ""} ${value}`);
    }
  }

  one(name: string, type: "gauge" | "counter", help: string, value: number): void {
    this.metric(name, type, help, [[{}, value]]);
  }
}

const b = (v: boolean): number => (v ? 1 : 0);
const recordSamples = (label: string, r: Readonly<Record<string, number>> | undefined): [Labels, number][] =>
  Object.entries(r ?? {}).map(([k, v]) => [{ [label]: k }, v]);

/** The /metrics body. Pure. */
export function renderMetrics(m: MetricsInput): string {
  const { doc } = m;
  const w = new Writer();
  const stats = m.sources.controllerStats?.();
  const bus = m.sources.busStats?.();
  const perCharger = (f: (c: StateDocument["chargers"][number]) => number | null): [Labels, number][] =>
    doc.chargers.flatMap((c) => {
      const v = f(c);
      return v === null ? [] : [[{ twcid: c.id }, v] as [Labels, number]];
    });

  w.metric("twc_build_info", "gauge", "Product version.", [[{ version: doc.version }, 1]]);
  w.one(
    "twc_process_start_time_seconds",
    "gauge",
    "Start time of the process (epoch seconds).",
    Date.parse(doc.startedAt) / 1000,
  );
  w.metric(
    "twc_charger_amps_offered",
    "gauge",
    "Amps last offered to the charger.",
    perCharger((c) => c.ampsOffered),
  );
  w.metric(
    "twc_charger_amps_desired",
    "gauge",
    "Amps last desired for the charger.",
    perCharger((c) => c.ampsDesired),
  );
  w.metric(
    "twc_charger_amps_actual",
    "gauge",
    "Amps in use reported by the charger.",
    perCharger((c) => c.reportedAmpsActual),
  );
  w.metric(
    "twc_charger_amps_max_reported",
    "gauge",
    "Maximum amps reported by the charger.",
    perCharger((c) => c.reportedAmpsMax),
  );
  w.metric(
    "twc_charger_rated_amps",
    "gauge",
    "Rating from the charger's linkready.",
    perCharger((c) => c.ratedAmps),
  );
  w.metric(
    "twc_charger_voltage_volts",
    "gauge",
    "Phase voltage reported by the charger.",
    doc.chargers.flatMap((c) =>
      (["a", "b", "c"] as const).map((p) => [{ twcid: c.id, phase: p }, c.voltage[p]] as [Labels, number]),
    ),
  );
  w.metric(
    "twc_charger_lifetime_energy_kwh",
    "gauge",
    "Lifetime energy reported by the charger (kWh).",
    perCharger((c) => c.lifetimeKWh),
  );
  w.metric(
    "twc_charger_state",
    "gauge",
    "Raw state code of the charger.",
    perCharger((c) => c.state),
  );
  w.metric(
    "twc_charger_charging",
    "gauge",
    "1 while a car charges.",
    perCharger((c) => b(c.charging)),
  );
  w.metric(
    "twc_charger_protocol_version",
    "gauge",
    "Protocol version (1 or 2).",
    perCharger((c) => c.protocolVersion),
  );
  w.metric(
    "twc_charger_last_heartbeat_age_seconds",
    "gauge",
    "Seconds since the last accepted heartbeat.",
    perCharger((c) =>
      c.lastHeartbeatAt === null ? null : Math.max(0, (m.nowMs - Date.parse(c.lastHeartbeatAt)) / 1000),
    ),
  );
  w.one("twc_chargers_linked", "gauge", "Number of linked chargers.", doc.totals.chargers);
  w.one("twc_cars_charging", "gauge", "Number of charging chargers.", doc.totals.carsCharging);
  w.one("twc_total_amps_actual", "gauge", "Sum of the amps in use.", doc.totals.ampsActual);
  w.one("twc_total_amps_offered", "gauge", "Sum of the amps offered.", doc.totals.ampsOffered);
  w.one("twc_budget_amps", "gauge", "Effective budget M (A).", doc.budget.maxAmpsToDivide);
  w.one("twc_budget_limit_amps", "gauge", "limitAmpsToDivideAmongSlaves (A).", doc.budget.limitAmps);
  w.one("twc_energy_generation_watts", "gauge", "Generation after offsets (W).", doc.energy.generationW);
  w.one("twc_energy_consumption_watts", "gauge", "Consumption after offsets (W).", doc.energy.consumptionW);
  w.one("twc_energy_charger_load_watts", "gauge", "Load of the chargers (W).", doc.energy.chargerLoadW);
  w.one("twc_energy_surplus_watts", "gauge", "Generation minus consumption (W).", doc.energy.surplusW);
  w.one("twc_energy_data_stale", "gauge", "1 while energy data is stale.", b(doc.energy.stale));
  w.metric(
    "twc_energy_source_up",
    "gauge",
    "1 while the source has a fresh reading.",
    doc.energy.sources.map((s) => [{ source: s.name }, b(s.ok && !s.stale)]),
  );
  const src = doc.energy.sources;
  w.metric("twc_energy_source_reads_total", "counter", "Successful reads of the source (polled sources).",
    src.flatMap((s) => (s.readsOk === undefined ? [] : [[{ source: s.name }, s.readsOk] as const])));
  w.metric("twc_energy_source_read_failures_total", "counter", "Failed reads of the source (polled sources).",
    src.flatMap((s) => (s.readsFailed === undefined ? [] : [[{ source: s.name }, s.readsFailed] as const])));
  w.metric("twc_energy_source_reading_age_seconds", "gauge", "Seconds since the source's last successful reading.",
    src.flatMap((s) => (s.updatedAt === null ? [] : [[{ source: s.name }, Math.max(0, (m.nowMs - Date.parse(s.updatedAt)) / 1000)] as const])));
  const names = [
    ...new Set([
      ...(m.sources.policyNames?.() ?? []),
      ...(doc.policy.active !== null ? [doc.policy.active] : []),
    ]),
  ];
  w.metric(
    "twc_policy_active",
    "gauge",
    "1 for the active policy, 0 for the others.",
    names.map((n) => [{ policy: n }, b(n === doc.policy.active)]),
  );
  w.one("twc_policy_green", "gauge", "1 while the active policy tracks green energy.", b(doc.policy.green));
  w.one("twc_charge_now_active", "gauge", "1 while Charge Now is active.", b(doc.chargeNow.active));
  w.metric(
    "twc_http_requests_total",
    "counter",
    "HTTP requests by method, route pattern and status.",
    [...m.http].map(([k, v]) => {
      const [method = "", route = "", status = ""] = k.split("\u0000");
      return [{ method, route, status }, v];
    }),
  );
  w.one("twc_sse_clients", "gauge", "Open event streams.", m.sseClients);
  w.one("twc_bus_connected", "gauge", "1 while the bus transport is open.", b(doc.bus.connected));
  w.one("twc_bus_bytes_received_total", "counter", "Bytes received from the bus.", bus?.bytesReceived ?? 0);
  w.one(
    "twc_bus_noise_bytes_total",
    "counter",
    "Bytes discarded between frames.",
    stats?.noiseBytes ?? doc.bus.stats.noiseBytes,
  );
  w.metric(
    "twc_bus_frames_received_total",
    "counter",
    "Valid frames received by kind.",
    recordSamples("kind", stats?.framesReceived),
  );
  w.metric(
    "twc_bus_frames_sent_total",
    "counter",
    "Frames sent by kind.",
    recordSamples("kind", stats?.framesSent),
  );
  w.metric(
    "twc_bus_frames_dropped_total",
    "counter",
    "Bad frames dropped by reason.",
    recordSamples("reason", stats?.framesDropped),
  );
  w.one("twc_bus_echo_frames_total", "counter", "Own transmissions seen again.", stats?.echoFrames ?? 0);
  w.one(
    "twc_bus_tx_queue_dropped_total",
    "counter",
    "Queries dropped on a full transmit queue.",
    stats?.txQueueDropped ?? 0,
  );
  w.one(
    "twc_bus_write_errors_total",
    "counter",
    "Bus write errors.",
    bus?.writeErrors ?? stats?.writeErrors ?? 0,
  );
  w.one("twc_bus_reconnects_total", "counter", "Bus transport reconnects.", bus?.reconnects ?? 0);
  w.one(
    "twc_bus_unsafe_frames_refused_total",
    "counter",
    "Frames the wire guard refused to write because they would exceed a charger's wiring limit or rating (S-1).",
    stats?.unsafeFramesRefused ?? 0,
  );
  w.one(
    "twc_bus_tx_stale_dropped_total",
    "counter",
    "Frames dropped unwritten because the port did not take them within their slot (never sent late).",
    bus?.txStaleDropped ?? 0,
  );
  w.one(
    "twc_bus_tx_overflow_dropped_total",
    "counter",
    "Frames dropped unwritten to keep the transmit buffer bounded.",
    bus?.txOverflowDropped ?? 0,
  );
  w.one(
    "twc_bus_write_stalls_total",
    "counter",
    "Writes the port did not take within 5 s (each forced a reconnect).",
    bus?.writeStalls ?? 0,
  );
  w.one(
    "twc_bus_silence_resets_total",
    "counter",
    "Connection resets because the bus went silent while heartbeats were written.",
    stats?.silenceResets ?? 0,
  );
  const rate = stats?.replyRate;
  const perS = (n: number | undefined): number =>
    rate && rate.windowS > 0 && n !== undefined ? n / rate.windowS : 0;
  w.one(
    "twc_bus_reply_rate",
    "gauge",
    "Charger heartbeat replies per second (30 s window).",
    perS(rate?.replies),
  );
  w.one(
    "twc_bus_expected_reply_rate",
    "gauge",
    "Charger heartbeat replies per second expected from the heartbeat cadence (30 s window).",
    perS(rate?.expected),
  );
  w.one(
    "twc_bus_replies_low_total",
    "counter",
    "Times the reply rate fell below half the expected rate.",
    stats?.repliesLowEvents ?? 0,
  );
  w.metric(
    "twc_charger_implausible_readings_total",
    "counter",
    "Charger readings refused as implausible (not used for decisions), by field.",
    recordSamples("field", stats?.implausibleReadings),
  );
  w.one(
    "twc_settings_save_failures_total",
    "counter",
    "Failed settings writes.",
    m.sources.settingsSaveFailures?.() ?? 0,
  );
  writeMqttMetrics((...a) => w.metric(...a), doc, m.sources.mqttModules?.() ?? []);
  return w.lines.join("\n") + "\n";
}

/** Counts requests by method, route pattern and status (an onResponse hook on `app`). */
export function countRequests(app: FastifyInstance): Map<string, number> {
  const counts = new Map<string, number>();
  app.addHook("onResponse", (request, reply, done) => {
    // No matched route: a known path answered 405/OPTIONS by the not-found handler counts under its
    // path (every such route is static); anything else is "unmatched".
    const route =
      request.routeOptions.url ??
      (reply.statusCode !== 404 && allowedMethods(app, request.url).length > 0
        ? requestPath(request.url)
        : "unmatched");
    const key = `${request.method}\u0000${route}\u0000${reply.statusCode}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    done();
  });
  return counts;
}
