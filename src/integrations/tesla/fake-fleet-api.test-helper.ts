/**
 * A loopback HTTPS fake of the Tesla Fleet API and its OAuth token endpoint (vehicles.md §9), with a
 * test-made certificate. API:
 *   const fake = await startFakeFleet({ cars: [fakeCar("5YJ3E1EA7KF000001", { soc: 54 })] });
 *   fake.url          https://127.0.0.1:<port> — use as teslaProxy, or regionHosts.{NA,EU,CN}, or
 *                     authEndpoints { auth: `${fake.url}/oauth2/v3`, fleetAuth: same }
 *   fake.fetch        a FetchFn trusting the fake's certificate (for `fetch` and `authFetch`)
 *   fake.cert         the PEM (write it to a file for teslaProxyCert)
 *   fake.cars         the scripted cars (mutate: state, soc, limit, lat/lon, chargingState …, wakeAfter = wake_up calls before online)
 *   fake.script       per-route programmable answers: push { match: RegExp on "METHOD path", status, body, headers?, times? }
 *   fake.tokens       the valid access / refresh tokens (unsigned JWTs with exp and ou_code); refresh rotates, reuse → 401 invalid_grant
 *   fake.requests     every request: { atMs, method, path, body, bearer, contentType }
 *   fake.issued       every token the fake ever handed out (tests assert none reaches a log)
 *   fake.close()
 * Times (request log, JWT exp, a car's default gps_as_of) come from `now` (default Date.now): pass the
 * test's fake clock so they line up with the module's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { selfSignedCertIp } from "./fake-cert.test-helper.ts";
import { tlsFetch, type FetchFn } from "./tls-fetch.ts";

/** One scripted car. */
export interface FakeCar {
  id: number;
  vin: string;
  name: string;
  state: "online" | "asleep" | "offline";
  /** wake_up calls that still answer asleep. */
  wakeAfter: number;
  soc: number;
  limit: number;
  chargingState: string;
  lat: number;
  lon: number;
  /** Epoch s of the fix; null = "now" at each answer. */
  gpsAsOf: number | null;
  scheduledPending: boolean;
  timeToFull: number;
  shiftState: string | null;
}

let nextId = 1000;

/** A car with defaults (online, at 0/0, a fresh fix). */
export function fakeCar(vin: string, o: Partial<FakeCar> = {}): FakeCar {
  return { id: ++nextId, vin, name: `Car ${vin.slice(-3)}`, state: "online", wakeAfter: 0, soc: 50, limit: 80, chargingState: "Stopped", lat: 0, lon: 0, gpsAsOf: null, scheduledPending: false, timeToFull: 2.5, shiftState: null, ...o };
}

/** A programmed answer. */
export interface ScriptedAnswer {
  match: RegExp;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** How many times it applies (default 1). */
  times?: number;
  /** Sent as is instead of JSON.stringify(body) (malformed answers). */
  raw?: string;
  /** Real milliseconds before answering (beyond the client's timeout). */
  delayMs?: number;
}

/** A recorded request. */
export interface FakeRequest {
  atMs: number;
  method: string;
  path: string;
  body: string;
  bearer: string | null;
  contentType: string | null;
}

/** An unsigned JWT. */
export function fakeJwt(claims: Record<string, unknown>): string {
  return `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
}

/** The running fake. */
export interface FakeFleet {
  url: string;
  cert: string;
  fetch: FetchFn;
  cars: FakeCar[];
  script: ScriptedAnswer[];
  tokens: { access: string; refresh: string; usedRefresh: string[] };
  issued: string[];
  requests: FakeRequest[];
  /** Requests whose path matches, e.g. `fake.count(/charge_start/)`. */
  count(re: RegExp): number;
  close(): Promise<void>;
}

/** Starts the fake. */
export async function startFakeFleet(o: { cars: FakeCar[]; region?: string; expSeconds?: number; now?: () => number }): Promise<FakeFleet> {
  const { key, cert } = selfSignedCertIp();
  const now = o.now ?? (() => Date.now());
  let n = 0;
  const issued: string[] = [];
  const keep = (t: string): string => {
    issued.push(t);
    return t;
  };
  const mint = (): string => keep(fakeJwt({ exp: Math.floor(now() / 1000) + (o.expSeconds ?? 28800), ou_code: o.region ?? "NA", n: ++n }));
  const mintRefresh = (): string => keep(`refresh-${String(++n)}-secretvalue`);
  const fake: FakeFleet = {
    url: "",
    cert,
    fetch: tlsFetch({ ca: cert }),
    cars: o.cars,
    script: [],
    tokens: { access: mint(), refresh: mintRefresh(), usedRefresh: [] },
    issued,
    requests: [],
    count: (re) => fake.requests.filter((r) => re.test(`${r.method} ${r.path}`)).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = req.url ?? "/";
    const auth = req.headers.authorization ?? null;
    fake.requests.push({ atMs: now(), method: req.method ?? "", path, body, bearer: auth?.startsWith("Bearer ") ? auth.slice(7) : null, contentType: req.headers["content-type"] ?? null });
    const key = `${req.method ?? ""} ${path}`;
    const s = fake.script.find((x) => x.match.test(key));
    if (s) {
      s.times = (s.times ?? 1) - 1;
      if (s.times <= 0) fake.script.splice(fake.script.indexOf(s), 1);
      const answer = (): void => {
        if (res.destroyed) return;
        if (s.raw === undefined) return send(res, s.status, s.body, s.headers);
        res.writeHead(s.status, { "content-type": "application/json", ...s.headers });
        res.end(s.raw);
      };
      if (s.delayMs !== undefined) setTimeout(answer, s.delayMs);
      else answer();
      return;
    }
    if (path.startsWith("/oauth2/v3/token")) {
      let form: Record<string, string>;
      try {
        form = req.headers["content-type"]?.includes("json") ? (JSON.parse(body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
      } catch {
        return send(res, 400, { error: "invalid_request" });
      }
      if (form.grant_type === "refresh_token") {
        if (form.refresh_token !== fake.tokens.refresh) return send(res, 401, { error: "invalid_grant", error_description: "refresh token reused or unknown" });
        fake.tokens.usedRefresh.push(fake.tokens.refresh);
        fake.tokens.access = mint();
        fake.tokens.refresh = mintRefresh();
        return send(res, 200, { access_token: fake.tokens.access, refresh_token: fake.tokens.refresh, expires_in: 28800, token_type: "Bearer" });
      }
      if (form.grant_type === "authorization_code") {
        fake.tokens.access = mint();
        fake.tokens.refresh = mintRefresh();
        return send(res, 200, { access_token: fake.tokens.access, refresh_token: fake.tokens.refresh, expires_in: 28800 });
      }
      return send(res, 400, { error: "unsupported_grant_type" });
    }
    if (auth !== `Bearer ${fake.tokens.access}`) return send(res, 401, { error: "token expired (401)" });
    const m = /^\/api\/1\/vehicles(?:\/([A-Z0-9]+)(\/.*)?)?(?:\?.*)?$/.exec(path);
    if (!m) return send(res, 404, { error: "not found" });
    if (m[1] === undefined) return send(res, 200, { response: fake.cars.map((c) => ({ id: c.id, vin: c.vin, display_name: c.name, state: c.state })), count: fake.cars.length });
    const car = fake.cars.find((c) => c.vin === m[1]);
    if (!car) return send(res, 404, { response: null, error: "not_found" });
    const rest = (m[2] ?? "").split("?")[0];
    if (rest === "") return send(res, 200, { response: { id: car.id, vin: car.vin, state: car.state } });
    if (rest === "/wake_up") {
      if (car.wakeAfter > 0) car.wakeAfter--;
      else car.state = "online";
      return send(res, 200, { response: { id: car.id, vin: car.vin, state: car.state } });
    }
    if (car.state !== "online") return send(res, 408, { response: null, error: "vehicle unavailable: vehicle is offline or asleep" });
    if (rest === "/vehicle_data")
      return send(res, 200, {
        response: {
          id: car.id,
          vin: car.vin,
          state: "online",
          charge_state: { battery_level: car.soc, charge_limit_soc: car.limit, charging_state: car.chargingState, time_to_full_charge: car.timeToFull, charge_current_request: 16, charger_pilot_current: 32, charger_actual_current: 0, charger_phases: 1, charger_voltage: 240, scheduled_charging_pending: car.scheduledPending },
          drive_state: { latitude: car.lat, longitude: car.lon, gps_as_of: car.gpsAsOf ?? Math.floor(now() / 1000), shift_state: car.shiftState },
          vehicle_state: { vehicle_name: car.name },
        },
      });
    if (rest === "/command/charge_start") {
      if (car.chargingState === "Charging") return send(res, 200, { response: { result: false, reason: "is_charging" } });
      car.chargingState = "Charging";
      return send(res, 200, { response: { result: true, reason: "" } });
    }
    if (rest === "/command/charge_stop") {
      if (car.chargingState !== "Charging") return send(res, 200, { response: { result: false, reason: "not_charging" } });
      car.chargingState = "Stopped";
      return send(res, 200, { response: { result: true, reason: "" } });
    }
    if (rest === "/command/set_charging_amps") return send(res, 200, { response: { result: true, reason: "" } });
    if (rest === "/command/set_charge_limit") {
      const p = (JSON.parse(body || "{}") as { percent?: number }).percent;
      if (p === car.limit) return send(res, 200, { response: { result: false, reason: "already_set" } });
      if (typeof p === "number") car.limit = p;
      return send(res, 200, { response: { result: true, reason: "" } });
    }
    return send(res, 404, { response: null, error: "unknown route" });
  };
  const server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString("utf8"));
      } catch (err) {
        send(res, 500, { error: `fake failed: ${String(err)}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return fake;
}
