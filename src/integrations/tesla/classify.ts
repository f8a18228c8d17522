/**
 * Classifies a Fleet API answer (vehicles.md §2.10) into success, a transient answer worth a retry
 * after 5 s, or an error class with its bookkeeping (count it on the car, rate-limit until, the 403
 * command-protocol fix). Error texts are built from the status and Tesla's `error` text after secret
 * redaction, never from the request. Pure.
 */
import { redactText } from "../../shared/redact.ts";
import type { VehicleErrorKind } from "../capabilities.ts";

/** The fix named by the 403 "command protocol required" alert. */
export const VCP_FIX =
  "this car needs signed commands: configure teslaProxy (the vehicle-command HTTP proxy) with teslaProxyCert, or use TeslaBLE";
/** The fix named by an authorisation failure. */
export const AUTH_FIX = "log in again on the Tesla account page (or enter new tokens on the Settings page)";
/** How long a 429 silences a car at least (s). */
export const RATE_LIMIT_S = 600;

const TRANSIENT_ERRORS = ["upstream internal error", "operation_timedout", "vehicle unavailable", "context deadline exceeded"];

/** An answer as the client got it (body parsed, undefined when it was not JSON). */
export interface RawAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** The classification. */
export type Classified =
  | { kind: "ok"; response: Record<string, unknown> | unknown[] | string | number | boolean; body: Record<string, unknown> }
  | { kind: "transient"; reason: string }
  | {
      kind: "error";
      error: VehicleErrorKind;
      reason: string;
      status: number;
      /** Raise the car's error count. */
      countCar: boolean;
      /** 401 whose body says expired: refresh the token and retry once. */
      expired: boolean;
      /** 429: epoch ms before which the car is not asked again. */
      retryAtMs?: number;
      fix?: string;
    };

function errorText(body: unknown): string {
  if (typeof body === "object" && body !== null && typeof (body as Record<string, unknown>).error === "string")
    return (body as Record<string, string>).error ?? "";
  return "";
}

/** Seconds until the limit resets, from `Retry-After` (seconds or HTTP date) or a `RateLimit-*-Reset` header. */
export function retryAfterS(headers: Headers, nowMs: number): number | null {
  const ra = headers.get("retry-after");
  let best: number | null = null;
  if (ra !== null) {
    const n = Number(ra.trim());
    if (Number.isFinite(n) && n >= 0) best = n;
    else {
      const at = Date.parse(ra);
      if (Number.isFinite(at)) best = Math.max(0, (at - nowMs) / 1000);
    }
  }
  headers.forEach((v, k) => {
    if (/^(x-)?ratelimit(-[a-z]+)?-reset$/i.test(k) || k.toLowerCase() === "ratelimit-reset") {
      const n = Number(v.trim());
      if (Number.isFinite(n) && n >= 0 && (best === null || n > best)) best = n;
    }
  });
  return best;
}

/** Tesla's error text, secret-free and bounded, for logs and results. */
export function safeText(s: string): string {
  const t = redactText(s).replace(/\s+/g, " ").trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/** Classifies one answer; `isGet` selects the transient rule of §2.10 for reads. */
export function classify(a: RawAnswer, isGet: boolean, nowMs: number): Classified {
  const text = safeText(errorText(a.body));
  const fail = (error: VehicleErrorKind, reason: string, countCar: boolean, extra: Partial<Extract<Classified, { kind: "error" }>> = {}): Classified => ({
    kind: "error",
    error,
    reason,
    status: a.status,
    countCar,
    expired: false,
    ...extra,
  });
  if (a.status === 401) {
    const expired = /expired/i.test(text);
    return fail("unauthorized", `401 unauthorized${text ? `: ${text}` : ""}`, false, { expired, fix: AUTH_FIX });
  }
  if (a.status === 403) {
    if (/vehicle command protocol required/i.test(text))
      return fail("command_protocol_required", `403 Tesla Vehicle Command Protocol required: ${VCP_FIX}`, true, { fix: VCP_FIX });
    return fail("forbidden", `403 forbidden${text ? `: ${text}` : ""} (check the app's scopes)`, true);
  }
  if (a.status === 408) return fail("timeout", `408 vehicle unavailable${text ? `: ${text}` : ""}`, true);
  if (a.status === 429) {
    const s = Math.max(RATE_LIMIT_S, retryAfterS(a.headers, nowMs) ?? 0);
    return fail("rate_limited", `429 rate limited; next request in ${String(Math.round(s))} s`, true, { retryAtMs: nowMs + s * 1000 });
  }
  if (a.status >= 500) return fail("server", `Fleet API answered ${String(a.status)}${text ? `: ${text}` : ""}`, true);
  if (a.status < 200 || a.status >= 300) return fail("server", `Fleet API answered ${String(a.status)}${text ? `: ${text}` : ""}`, true);
  if (typeof a.body !== "object" || a.body === null || Array.isArray(a.body)) return fail("malformed", "the answer is not a JSON object", true);
  const body = a.body as Record<string, unknown>;
  const response = body.response;
  if (Array.isArray(response)) return { kind: "ok", response, body };
  if (response === undefined || response === null) {
    if (isGet && TRANSIENT_ERRORS.some((e) => text.toLowerCase().startsWith(e))) return { kind: "transient", reason: text };
    return fail("malformed", `the answer has no response${text ? ` (${text})` : ""}`, true);
  }
  if (typeof response === "object" && !Array.isArray(response) && (response as Record<string, unknown>).reason === "could_not_wake_buses")
    return { kind: "transient", reason: "could_not_wake_buses" };
  return { kind: "ok", response: response as Record<string, unknown>, body };
}

/** `response.reason`, or the text after the last ": " of `response.string` (§2.6). */
export function commandReason(response: Record<string, unknown>): string {
  if (typeof response.reason === "string" && response.reason !== "") return response.reason;
  if (typeof response.string === "string") {
    const i = response.string.lastIndexOf(": ");
    return i >= 0 ? response.string.slice(i + 2) : response.string;
  }
  return "";
}

/** `retryMins` of §2.10: the first error is free, each further one a minute, capped at 10. */
export function retryMins(carErrors: number, globalErrors: number): number {
  return Math.min(Math.max(Math.max(carErrors, globalErrors) - 1, 0), 10);
}
