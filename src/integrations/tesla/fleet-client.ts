/**
 * One Fleet API request with the rules of vehicles.md §2.6 and §2.10: bearer token, JSON body, 30 s
 * timeout, a 401 "expired" answer refreshes the token and retries once, transient answers (and
 * `could_not_wake_buses`) are retried after a pause, at most 3 attempts. Never throws; transport
 * failures are the `network` class. Nothing here logs.
 */
import type { Clock } from "../../shared/clock.ts";
import { classify, safeText, type Classified } from "./classify.ts";
import type { FetchFn } from "./tls-fetch.ts";

/** What a request needs from the module. */
export interface ClientDeps {
  clock: Clock;
  fetch: () => FetchFn;
  /** The vehicle base URL `B`, null when the region is unknown. */
  base(): string | null;
  /** The current access token ("" = none). */
  accessToken(): string;
  /** Refreshes after a 401 "expired"; true when a new token is held. */
  refreshExpired(): Promise<boolean>;
  timeoutMs: number;
  pauseMs: number;
}

/** Waits `ms` on the injected clock. */
export function pause(clock: Clock, ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimeout(resolve, ms));
}

function failure(error: "network" | "unavailable" | "unauthorized" | "malformed", reason: string, countCar: boolean): Classified {
  return { kind: "error", error, reason, status: 0, countCar, expired: false };
}

async function once(d: ClientDeps, method: string, url: string, body: Readonly<Record<string, number>> | undefined): Promise<Classified> {
  const token = d.accessToken();
  if (token === "") return failure("unauthorized", "no Tesla access token: log in on the Tesla account page", false);
  const headers: Record<string, string> = { accept: "application/json", Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  let text: string;
  try {
    res = await d.fetch()(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(d.timeoutMs) });
    text = await res.text();
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") return failure("network", `no answer within ${String(d.timeoutMs / 1000)} s`, true);
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return failure("network", `Fleet API unreachable: ${safeText((err instanceof Error ? err.message : String(err)) + cause)}`, true);
  }
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined && res.status >= 200 && res.status < 300) return failure("malformed", `Fleet API answered ${String(res.status)} without JSON`, true);
  return classify({ status: res.status, body: parsed, headers: res.headers }, method === "GET", d.clock.now());
}

/** Sends `method` to `B` + `path` ("" for the list); the classified final answer. */
export async function fleetRequest(d: ClientDeps, method: "GET" | "POST", path: string, body?: Readonly<Record<string, number>>): Promise<Classified> {
  const base = d.base();
  if (base === null) return failure("unavailable", "unable to determine Fleet API region (log in again, or set teslaProxy)", false);
  let refreshed = false;
  let last: Classified | null = null;
  for (let attempt = 0; attempt < 3; ) {
    const c = await once(d, method, base + path, body);
    if (c.kind === "error" && c.expired && !refreshed) {
      refreshed = true;
      if (await d.refreshExpired()) continue;
      return c;
    }
    if (c.kind !== "transient") return c;
    last = c;
    attempt++;
    if (attempt < 3) await pause(d.clock, d.pauseMs);
  }
  return { kind: "error", error: "malformed", reason: `3 attempts exhausted (${last?.kind === "transient" ? last.reason : "transient"})`, status: 200, countCar: true, expired: false };
}
