/**
 * Home Assistant's REST and WebSocket APIs as the vehicle module uses them (vehicles.md §6.1–§6.3):
 * `GET /api/config` (5 s), `GET /api/states/<id>` (5 s; 404 = missing), `POST /api/services/<d>/<s>`
 * (10 s), and the WebSocket registry lists. Answers are classified, never thrown; the token is only
 * ever in the Authorization header and the WebSocket auth message.
 */
import { WebSocket } from "ws";
import type { Clock } from "../../shared/clock.ts";
import { redactText } from "../../shared/redact.ts";
import type { VehicleCommandResult } from "../capabilities.ts";
import type { HassDevice, HassEntityEntry } from "./hass-discovery.ts";

/** `fetch` as the client uses it (injectable). */
export type HassFetch = (url: string, init: RequestInit) => Promise<Response>;

/** An entity's state object (the keys read). */
export interface HassState {
  state: string;
  attributes: Record<string, unknown>;
}

/** A read: the state, "missing" (404), or a failure reason. */
export type HassRead = { ok: true; state: HassState } | { ok: false; missing: boolean; reason: string };

const READ_TIMEOUT_MS = 5000;
const SERVICE_TIMEOUT_MS = 10_000;
/** WebSocket messages up to 20 MB (§6.2). */
const WS_MAX_PAYLOAD = 20 * 1024 * 1024;

const reasonOf = (err: unknown): string => {
  if (err instanceof Error && err.name === "TimeoutError") return "no answer in time";
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
  return redactText(`${err instanceof Error ? err.message : String(err)}${cause}`);
};

/** The REST client. */
export class HassClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly fetchFn: HassFetch = (u, i) => fetch(u, i),
  ) {}

  private request(method: "GET" | "POST", path: string, timeoutMs: number, body?: unknown): Promise<Response> {
    return this.fetchFn(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  /** §6.1 start check: null when HA answers, else the message that disables the module. */
  async checkConfig(): Promise<string | null> {
    let res: Response;
    try {
      res = await this.request("GET", "/api/config", READ_TIMEOUT_MS);
      await res.arrayBuffer();
    } catch (err) {
      return `cannot reach Home Assistant at ${this.url} (${reasonOf(err)})`;
    }
    if (res.status === 401) return "Home Assistant refused the long-lived access token (401): create a new one in your HA profile → Security";
    if (!res.ok) return `Home Assistant answered GET /api/config with HTTP ${String(res.status)}`;
    return null;
  }

  /** `GET /api/states/<id>`. */
  async state(entityId: string): Promise<HassRead> {
    try {
      const res = await this.request("GET", `/api/states/${encodeURIComponent(entityId)}`, READ_TIMEOUT_MS);
      const text = await res.text();
      if (res.status === 404) return { ok: false, missing: true, reason: `${entityId} does not exist in Home Assistant` };
      if (!res.ok) return { ok: false, missing: false, reason: `HTTP ${String(res.status)} for ${entityId}` };
      const body = JSON.parse(text) as { state?: unknown; attributes?: unknown };
      if (typeof body.state !== "string") return { ok: false, missing: false, reason: `no state for ${entityId}` };
      const attributes = body.attributes !== null && typeof body.attributes === "object" ? (body.attributes as Record<string, unknown>) : {};
      return { ok: true, state: { state: body.state, attributes } };
    } catch (err) {
      return { ok: false, missing: false, reason: `${entityId}: ${reasonOf(err)}` };
    }
  }

  /** `POST /api/services/<domain>/<service>` with `body`. */
  async service(domain: string, service: string, body: Record<string, unknown>): Promise<VehicleCommandResult> {
    try {
      const res = await this.request("POST", `/api/services/${domain}/${service}`, SERVICE_TIMEOUT_MS, body);
      await res.arrayBuffer();
      if (res.ok) return { ok: true };
      if (res.status === 401) return { ok: false, kind: "unauthorized", reason: "Home Assistant refused the token (401)", status: 401 };
      return { ok: false, kind: res.status >= 500 ? "server" : "refused", reason: `Home Assistant answered ${domain}.${service} with HTTP ${String(res.status)}`, status: res.status };
    } catch (err) {
      return { ok: false, kind: "network", reason: `${domain}.${service}: ${reasonOf(err)}` };
    }
  }
}

/** The WebSocket URL of a base URL (`ws://` for http, `wss://` for https). */
export function websocketUrl(url: string): string {
  return `${url.replace(/^http/i, "ws")}/api/websocket`;
}

/** The registry lists of §6.2 (one connection, closed after). Rejects with a secret-free message. */
export function fetchRegistries(url: string, token: string, clock: Clock, timeoutMs = 10_000): Promise<{ devices: HassDevice[]; entities: HassEntityEntry[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(websocketUrl(url), { maxPayload: WS_MAX_PAYLOAD, handshakeTimeout: timeoutMs });
    const results = new Map<number, unknown[]>();
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      ws.removeAllListeners("message");
      ws.on("error", () => undefined);
      ws.close();
      if (err) reject(err);
      else resolve({ devices: (results.get(1) ?? []) as HassDevice[], entities: (results.get(2) ?? []) as HassEntityEntry[] });
    };
    const timer = clock.setTimeout(() => finish(new Error("Home Assistant's WebSocket did not answer in time")), timeoutMs);
    ws.on("error", (err) => finish(new Error(`Home Assistant's WebSocket failed (${reasonOf(err)})`)));
    ws.on("close", () => finish(new Error("Home Assistant closed the WebSocket")));
    ws.on("message", (data: Buffer) => {
      let m: { type?: unknown; id?: unknown; success?: unknown; result?: unknown };
      try {
        m = JSON.parse(data.toString("utf8")) as typeof m;
      } catch {
        finish(new Error("Home Assistant sent a WebSocket message that is not JSON"));
        return;
      }
      if (m.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: token }));
      else if (m.type === "auth_invalid") finish(new Error("Home Assistant refused the long-lived access token on the WebSocket"));
      else if (m.type === "auth_ok") {
        ws.send(JSON.stringify({ id: 1, type: "config/device_registry/list" }));
        ws.send(JSON.stringify({ id: 2, type: "config/entity_registry/list" }));
      } else if (m.type === "result" && (m.id === 1 || m.id === 2)) {
        if (m.success === false || !Array.isArray(m.result)) {
          finish(new Error(`Home Assistant refused the ${m.id === 1 ? "device" : "entity"} registry list`));
          return;
        }
        results.set(m.id, m.result);
        if (results.size === 2) finish(null);
      }
    });
  });
}
