/**
 * Test helper: a fake Home Assistant on 127.0.0.1 serving what the vehicle module uses (vehicles.md
 * §9.1): `GET /api/config`, `GET /api/states/<id>` (404 for an unknown entity), `POST
 * /api/services/<domain>/<service>` (recorded; `switch.turn_on/off` and `number.set_value` change the
 * entity's state as HA would), and the WebSocket `/api/websocket` (auth handshake, the device and
 * entity registry lists). A wrong bearer token gets 401, a wrong WebSocket token `auth_invalid`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { HassDevice, HassEntityEntry } from "./hass-discovery.ts";

/** An entity's state as HA answers it. */
export interface FakeState {
  state: string;
  attributes: Record<string, unknown>;
}

/** A recorded service call. */
export interface ServiceCall {
  domain: string;
  service: string;
  body: Record<string, unknown>;
}

/** A recorded request (method, path, whether the token was right). */
export interface FakeHassRequest {
  method: string;
  path: string;
  authorized: boolean;
  contentType: string | null;
}

/** The running fake. */
export interface FakeHass {
  url: string;
  token: string;
  devices: HassDevice[];
  entities: HassEntityEntry[];
  states: Map<string, FakeState>;
  calls: ServiceCall[];
  requests: FakeHassRequest[];
  /** WebSocket messages received (the auth message's token replaced by its correctness). */
  wsMessages: Record<string, unknown>[];
  /** Status to answer every REST request with instead (e.g. 500), null for normal. */
  failWith: number | null;
  /** Sets an entity's state (attributes kept unless given). */
  set(entityId: string, state: string, attributes?: Record<string, unknown>): void;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/** Starts the fake with this long-lived token. */
export async function startFakeHass(o: { token: string; devices?: HassDevice[]; entities?: HassEntityEntry[]; states?: Record<string, FakeState> }): Promise<FakeHass> {
  const fake: FakeHass = {
    url: "",
    token: o.token,
    devices: o.devices ?? [],
    entities: o.entities ?? [],
    states: new Map(Object.entries(o.states ?? {})),
    calls: [],
    requests: [],
    wsMessages: [],
    failWith: null,
    set(entityId, state, attributes) {
      const prev = fake.states.get(entityId);
      fake.states.set(entityId, { state, attributes: attributes ?? prev?.attributes ?? {} });
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = (req.url ?? "/").split("?")[0]!;
    const authorized = req.headers.authorization === `Bearer ${fake.token}`;
    fake.requests.push({ method: req.method ?? "", path, authorized, contentType: req.headers["content-type"] ?? null });
    if (!authorized) return json(res, 401, { message: "Invalid authentication" });
    if (fake.failWith !== null) return json(res, fake.failWith, { message: "scripted failure" });
    if (req.method === "GET" && path === "/api/config") return json(res, 200, { location_name: "Home", version: "2025.1.0", unit_system: {} });
    const st = /^\/api\/states\/(.+)$/.exec(path);
    if (req.method === "GET" && st) {
      const id = decodeURIComponent(st[1]!);
      const s = fake.states.get(id);
      return s ? json(res, 200, { entity_id: id, ...s, last_changed: new Date().toISOString() }) : json(res, 404, { message: "Entity not found." });
    }
    const sv = /^\/api\/services\/([a-z_]+)\/([a-z_]+)$/.exec(path);
    if (req.method === "POST" && sv) {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return json(res, 400, { message: "Invalid JSON" });
      }
      const [domain, service] = [sv[1]!, sv[2]!];
      fake.calls.push({ domain, service, body: data });
      const id = typeof data.entity_id === "string" ? data.entity_id : "";
      if (!fake.states.has(id)) return json(res, 400, { message: `entity ${id} not found` });
      if (domain === "switch" && (service === "turn_on" || service === "turn_off")) fake.set(id, service === "turn_on" ? "on" : "off");
      else if (domain === "number" && service === "set_value") fake.set(id, String(data.value));
      else return json(res, 400, { message: `Service ${domain}.${service} not found.` });
      return json(res, 200, [fake.states.get(id)]);
    }
    json(res, 404, { message: "not found" });
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => handle(req, res, body));
  });
  const wss = new WebSocketServer({ server, path: "/api/websocket" });
  wss.on("connection", (ws: WebSocket) => {
    let authed = false;
    ws.send(JSON.stringify({ type: "auth_required", ha_version: "2025.1.0" }));
    ws.on("message", (data: Buffer) => {
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
      } catch {
        ws.close();
        return;
      }
      if (m.type === "auth") {
        const ok = m.access_token === fake.token;
        fake.wsMessages.push({ type: "auth", tokenCorrect: ok });
        if (!ok) {
          ws.send(JSON.stringify({ type: "auth_invalid", message: "Invalid access token or password" }));
          ws.close();
          return;
        }
        authed = true;
        ws.send(JSON.stringify({ type: "auth_ok", ha_version: "2025.1.0" }));
        return;
      }
      fake.wsMessages.push(m);
      if (!authed) return void ws.close();
      const id = m.id;
      if (m.type === "config/device_registry/list") ws.send(JSON.stringify({ id, type: "result", success: true, result: fake.devices }));
      else if (m.type === "config/entity_registry/list") ws.send(JSON.stringify({ id, type: "result", success: true, result: fake.entities }));
      else ws.send(JSON.stringify({ id, type: "result", success: false, error: { code: "unknown_command", message: "Unknown command." } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return fake;
}

/** A tesla_fleet car device with the entities of vehicles.md §6.2 for `slug` (all, or those named). */
export function teslaCar(o: { id: string; vin: string; name: string; slug: string; model?: string; viaIdentifiers?: boolean; roles?: readonly string[] }): { device: HassDevice; entities: HassEntityEntry[] } {
  const roles = o.roles ?? ["sensor.battery_level", "sensor.charging", "device_tracker.location", "switch.charge", "number.charge_current", "number.charge_limit"];
  return {
    device: {
      id: o.id,
      manufacturer: "Tesla",
      model: o.model ?? "Model 3",
      name: o.name,
      ...(o.viaIdentifiers ? { identifiers: [["tesla_fleet", o.vin]] } : { serial_number: o.vin }),
    },
    entities: roles.map((r) => {
      const [domain, suffix] = r.split(".") as [string, string];
      return { entity_id: `${domain}.${o.slug}_${suffix}`, device_id: o.id, platform: "tesla_fleet" };
    }),
  };
}
