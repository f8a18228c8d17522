import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerStats } from "../bus/controller-types.ts";
import { FakeClock } from "../shared/clock.ts";
import { escapeLabel } from "./metrics.ts";
import { testCharger, v2App } from "./v2/v2-app.test-helper.ts";

const SPEC: Readonly<Record<string, "gauge" | "counter">> = {
  twc_build_info: "gauge",
  twc_process_start_time_seconds: "gauge",
  twc_charger_amps_offered: "gauge",
  twc_charger_amps_desired: "gauge",
  twc_charger_amps_actual: "gauge",
  twc_charger_amps_max_reported: "gauge",
  twc_charger_rated_amps: "gauge",
  twc_charger_voltage_volts: "gauge",
  twc_charger_lifetime_energy_kwh: "gauge",
  twc_charger_state: "gauge",
  twc_charger_charging: "gauge",
  twc_charger_protocol_version: "gauge",
  twc_charger_last_heartbeat_age_seconds: "gauge",
  twc_chargers_linked: "gauge",
  twc_cars_charging: "gauge",
  twc_total_amps_actual: "gauge",
  twc_total_amps_offered: "gauge",
  twc_budget_amps: "gauge",
  twc_budget_limit_amps: "gauge",
  twc_energy_generation_watts: "gauge",
  twc_energy_consumption_watts: "gauge",
  twc_energy_charger_load_watts: "gauge",
  twc_energy_surplus_watts: "gauge",
  twc_energy_data_stale: "gauge",
  twc_energy_source_up: "gauge",
  twc_policy_active: "gauge",
  twc_policy_green: "gauge",
  twc_charge_now_active: "gauge",
  twc_http_requests_total: "counter",
  twc_sse_clients: "gauge",
  twc_bus_connected: "gauge",
  twc_bus_bytes_received_total: "counter",
  twc_bus_noise_bytes_total: "counter",
  twc_bus_frames_received_total: "counter",
  twc_bus_frames_sent_total: "counter",
  twc_bus_frames_dropped_total: "counter",
  twc_bus_echo_frames_total: "counter",
  twc_bus_tx_queue_dropped_total: "counter",
  twc_bus_write_errors_total: "counter",
  twc_bus_reconnects_total: "counter",
  twc_settings_save_failures_total: "counter",
};

const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*")*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|Inf|NaN))$/;

interface Parsed {
  types: Map<string, string>;
  helps: Set<string>;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

function parse(text: string): Parsed {
  const out: Parsed = { types: new Map(), helps: new Set(), samples: [] };
  assert.ok(text.endsWith("\n"));
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) {
      const [, , name] = line.split(" ");
      out.helps.add(name!);
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      assert.ok(type === "gauge" || type === "counter", line);
      out.types.set(name!, type);
      continue;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m, `not a comment or sample: ${line}`);
    const name = m[1]!;
    assert.ok(out.types.has(name), `sample before its TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/g))
      labels[lm[1]!] = lm[2]!;
    out.samples.push({ name, labels, value: Number(m[4]) });
  }
  return out;
}

const stats: ControllerStats = {
  framesReceived: { slaveHeartbeat: 120, kwhReport: 3 },
  framesDropped: { checksum: 2, length: 0, escape: 0, timeout: 1, truncated: 0 },
  framesSent: { masterHeartbeat: 118 },
  noiseBytes: 7,
  echoFrames: 4,
  unknownFrames: 0,
  txQueueDropped: 5,
  writeErrors: 1,
  handlerErrors: 0,
  unsafeFramesRefused: 0,
  heartbeatSendTimes: [],
  implausibleReadings: { ampsActual: 2, ampsMax: 0, voltage: 1, lifetimeKWh: 0 },
  replyRate: { replies: 15, expected: 30, windowS: 30 },
  repliesLowEvents: 1,
  silenceResets: 0,
};

describe("GET /metrics", () => {
  it("renders every metric of the table with HELP and TYPE, in the text format", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 10));
    const { app, store } = v2App({
      clock,
      metrics: {
        controllerStats: () => stats,
        busStats: () => ({ bytesReceived: 4096, writeErrors: 2, reconnects: 3 }),
        settingsSaveFailures: () => 6,
        policyNames: () => [
          "Charge Now",
          "Track Green Energy",
          "Non Scheduled Charging",
          "Track Green Energy",
        ],
      },
    });
    store.update((d) => {
      d.chargers = [
        testCharger("4142", {
          reportedAmpsActual: 15.62,
          charging: true,
          lastHeartbeatAt: "2026-11-23T13:00:08.500+01:00",
        }),
        testCharger("ABCD", { ampsOffered: null, ampsDesired: null, protocolVersion: 1, lifetimeKWh: null }),
      ];
      d.policy.active = "Charge Now";
      d.energy.sources = [
        {
          name: "URL",
          ok: true,
          stale: false,
          updatedAt: null,
          generationW: 1,
          consumptionW: 2,
          consumptionA: null,
          error: null,
        },
      ];
    });
    await app.inject({ method: "GET", url: "/api/v2/state" });
    await app.inject({ method: "GET", url: "/api/nothing" });
    await app.inject({ method: "DELETE", url: "/api/v2/state" });
    const res = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(res.headers["cache-control"], "no-store");
    const p = parse(res.body);
    for (const [name, type] of Object.entries(SPEC)) {
      assert.equal(p.types.get(name), type, name);
      assert.ok(p.helps.has(name), `HELP ${name}`);
    }
    const find = (name: string, labels: Record<string, string> = {}): number | undefined =>
      p.samples.find(
        (s) =>
          s.name === name &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
          Object.keys(s.labels).length === Object.keys(labels).length,
      )?.value;
    assert.equal(find("twc_build_info", { version: "9.9.9-test" }), 1);
    assert.equal(find("twc_charger_amps_actual", { twcid: "4142" }), 15.62);
    assert.equal(find("twc_charger_amps_offered", { twcid: "4142" }), 32);
    assert.equal(find("twc_charger_amps_offered", { twcid: "ABCD" }), undefined); // before the first reply
    assert.equal(find("twc_charger_voltage_volts", { twcid: "4142", phase: "a" }), 240);
    assert.equal(find("twc_charger_charging", { twcid: "4142" }), 1);
    assert.equal(find("twc_charger_protocol_version", { twcid: "ABCD" }), 1);
    assert.equal(find("twc_charger_last_heartbeat_age_seconds", { twcid: "4142" }), 1.5);
    assert.equal(find("twc_charger_lifetime_energy_kwh", { twcid: "ABCD" }), undefined);
    assert.equal(find("twc_policy_active", { policy: "Charge Now" }), 1);
    assert.equal(find("twc_policy_active", { policy: "Track Green Energy" }), 0);
    assert.equal(p.samples.filter((s) => s.name === "twc_policy_active").length, 3);
    assert.equal(find("twc_energy_source_up", { source: "URL" }), 1);
    assert.equal(find("twc_bus_frames_received_total", { kind: "slaveHeartbeat" }), 120);
    assert.equal(find("twc_bus_frames_dropped_total", { reason: "checksum" }), 2);
    assert.equal(find("twc_bus_bytes_received_total"), 4096);
    assert.equal(find("twc_bus_reconnects_total"), 3);
    assert.equal(find("twc_bus_tx_queue_dropped_total"), 5);
    assert.equal(find("twc_charger_implausible_readings_total", { field: "ampsActual" }), 2);
    assert.equal(find("twc_bus_reply_rate"), 0.5);
    assert.equal(find("twc_bus_expected_reply_rate"), 1);
    assert.equal(find("twc_bus_replies_low_total"), 1);
    assert.equal(find("twc_settings_save_failures_total"), 6);
    assert.equal(
      find("twc_http_requests_total", { method: "GET", route: "/api/v2/state", status: "200" }),
      1,
    );
    assert.equal(find("twc_http_requests_total", { method: "GET", route: "unmatched", status: "404" }), 1);
    assert.equal(
      find("twc_http_requests_total", { method: "DELETE", route: "/api/v2/state", status: "405" }),
      1,
    );
    assert.equal(find("twc_sse_clients"), 0);
    await app.close();
  });

  it("per energy source: reads, failures and the age of the last reading (issue 11 item 4)", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 10));
    const { app, store } = v2App({ clock });
    store.update((d) => {
      d.energy.sources = [
        { name: "Fronius", ok: true, stale: false, updatedAt: "2026-11-23T12:00:04.000Z", generationW: 1, consumptionW: 2, consumptionA: null, error: null, readsOk: 7, readsFailed: 2 },
        { name: "MQTT", ok: false, stale: false, updatedAt: null, generationW: null, consumptionW: null, consumptionA: null, error: null },
      ];
    });
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    assert.match(text, /^twc_energy_source_reads_total\{source="Fronius"\} 7$/m);
    assert.match(text, /^twc_energy_source_read_failures_total\{source="Fronius"\} 2$/m);
    assert.match(text, /^twc_energy_source_reading_age_seconds\{source="Fronius"\} 6$/m);
    assert.doesNotMatch(text, /reads_total\{source="MQTT"\}|age_seconds\{source="MQTT"\}/);
    await app.close();
  });

  it("escapes label values", () => {
    assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  });
});
