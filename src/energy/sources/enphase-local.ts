/**
 * The local Envoy (energy-sources.md §6.3, §6.4): `GET /production.json?details=1&classic-1`. With a
 * `token` (firmware 7+): HTTPS (port 443 unless `serverPort` is not 80), `Authorization: Bearer`, the
 * self-signed certificate accepted for this host only; a 401, a redirect or an HTML login page triggers
 * one `GET /auth/check_jwt` whose `sessionid` cookie is kept and sent from then on. Without a token:
 * plain HTTP as upstream. Entries are chosen by type, not position.
 */
import { SourceFetchError, fetchWithTimeout } from "../polling-source.ts";
import type { SourceDeps } from "../source.ts";
import type { EnphaseConfig } from "./enphase-schema.ts";
import { deviceTls } from "./device-tls.ts";
import { envoyGet } from "./enphase-request.ts";
import type { EnvoyAnswer } from "./enphase-request.ts";
import { hostPort, isObject, parseJsonBody, requireNumber } from "./module-source.ts";
import type { Attributes, ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const ENPHASE_LOCAL_TIMEOUT_MS = 10_000;
/** The production path, query exactly as upstream (`classic-1` has no `=`). */
export const PRODUCTION_PATH = "/production.json?details=1&classic-1";
/** The session endpoint of recent gateway software. */
export const CHECK_JWT_PATH = "/auth/check_jwt";

/** Figures of one production.json (W and V, truncated as upstream's `int()`). */
export interface EnvoyFigures {
  generatedW: number;
  consumedW: number;
  voltage: number;
}

function entries(doc: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = doc[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

const int = (v: number): number => Math.trunc(v) || 0;

/**
 * Parses production.json: generation from the `eim` production meter, else from the `inverters` entry;
 * consumption from `total-consumption` (its rmsVoltage as voltage), else production + `net-consumption`,
 * else 0 (no consumption CT). No production entry at all fails.
 */
export function parseProduction(doc: unknown): EnvoyFigures {
  if (!isObject(doc) || !Array.isArray(doc.production))
    throw new SourceFetchError("production.json: no production in the answer");
  const production = entries(doc, "production");
  const eim = production.find((e) => e.type === "eim" && e.measurementType === "production");
  const inverters = production.find((e) => e.type === "inverters");
  const source = eim ?? inverters;
  if (!source)
    throw new SourceFetchError("production.json: neither an eim production meter nor an inverters entry");
  const generated = requireNumber(
    `production.json ${eim ? "eim production" : "inverters"} wNow`,
    source.wNow,
  );
  const consumption = entries(doc, "consumption");
  const total = consumption.find((e) => e.measurementType === "total-consumption");
  const net = consumption.find((e) => e.measurementType === "net-consumption");
  let consumedW = 0;
  let voltage = 0;
  if (total) {
    consumedW = int(requireNumber("production.json total-consumption wNow", total.wNow));
    voltage = int(Number(total.rmsVoltage ?? 0) || 0);
  } else if (net) {
    consumedW = Math.max(0, int(generated + requireNumber("production.json net-consumption wNow", net.wNow)));
    voltage = int(Number(net.rmsVoltage ?? 0) || 0);
  }
  return { generatedW: int(generated), consumedW, voltage };
}

/** The local base URL: https with a token (443 unless serverPort ≠ 80), else http on serverPort. */
export function envoyBaseUrl(cfg: Pick<EnphaseConfig, "serverIP" | "serverPort" | "token">): string {
  const host = (cfg.serverIP ?? "").trim();
  if ((cfg.token ?? "").trim() !== "")
    return `https://${hostPort(host, cfg.serverPort === 80 ? undefined : cfg.serverPort)}`;
  return `http://${hostPort(host, cfg.serverPort)}`;
}

/** True for an answer that asks for authentication (401/403, a redirect, or an HTML page instead of JSON). */
export function needsSession(a: Pick<EnvoyAnswer, "status" | "contentType" | "body">): boolean {
  if (a.status === 401 || a.status === 403 || (a.status >= 300 && a.status < 400)) return true;
  return a.status === 200 && (/text\/html/i.test(a.contentType) || a.body.trimStart().startsWith("<"));
}

/** The `sessionid` value among Set-Cookie headers, or null. */
export function sessionCookie(setCookie: readonly string[]): string | null {
  for (const c of setCookie) {
    const m = /^\s*sessionid=([^;]*)/i.exec(c);
    if (m?.[1]) return m[1];
  }
  return null;
}

function figuresReading(f: EnvoyFigures): ModuleReading {
  const attributes: Attributes = {
    generatedW: f.generatedW,
    consumedW: f.consumedW,
    voltage: f.voltage,
    importW: 0,
    exportW: 0,
  };
  return { values: { generationW: f.generatedW, consumptionW: f.consumedW }, attributes };
}

/** The local poll: returns the poll function of a module source. */
export function enphaseLocalPoll(
  cfg: EnphaseConfig,
  deps: ModuleDeps & SourceDeps,
): (signal: AbortSignal) => Promise<ModuleReading> {
  const base = envoyBaseUrl(cfg);
  const token = (cfg.token ?? "").trim();
  const timeoutMs = deps.timeoutMs ?? ENPHASE_LOCAL_TIMEOUT_MS;
  let session: string | null = null;
  const tls = deviceTls(cfg, "Enphase");

  const get = async (path: string, signal: AbortSignal): Promise<EnvoyAnswer> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    if (session !== null) headers.Cookie = `sessionid=${session}`;
    return envoyGet(`${base}${path}`, headers, {
      clock: deps.clock,
      timeoutMs,
      tls: await tls(),
      signal,
    });
  };

  const withToken = async (signal: AbortSignal): Promise<ModuleReading> => {
    let answer = await get(PRODUCTION_PATH, signal);
    if (needsSession(answer)) {
      session = null;
      const check = await get(CHECK_JWT_PATH, signal);
      if (check.status !== 200)
        throw new SourceFetchError(
          `${CHECK_JWT_PATH}: HTTP ${check.status} (the token was refused; it may have expired)`,
        );
      session = sessionCookie(check.setCookie);
      answer = await get(PRODUCTION_PATH, signal);
      if (needsSession(answer))
        throw new SourceFetchError(
          `production.json: HTTP ${answer.status}, still not authorised after ${CHECK_JWT_PATH} (token expired?)`,
        );
    }
    if (answer.status !== 200) throw new SourceFetchError(`production.json: HTTP ${answer.status}`);
    return figuresReading(parseProduction(parseJsonBody("production.json", answer.body)));
  };

  const plain = async (signal: AbortSignal): Promise<ModuleReading> => {
    const { status, body } = await fetchWithTimeout(
      `${base}${PRODUCTION_PATH}`,
      { method: "GET" },
      {
        clock: deps.clock,
        timeoutMs,
        signal,
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      },
    );
    if (status === 401)
      throw new SourceFetchError("production.json: HTTP 401 (Envoy firmware 7+ needs a token)");
    if (status !== 200) throw new SourceFetchError(`production.json: HTTP ${status}`);
    return figuresReading(parseProduction(parseJsonBody("production.json", body)));
  };

  return token === "" ? plain : withToken;
}
