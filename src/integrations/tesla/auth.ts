/**
 * The token endpoint calls (vehicles.md §2.3 refresh, §2.4 code exchange). They return a typed outcome
 * and never throw; error texts never contain a token (only the status and Tesla's error code).
 */
import type { FetchFn } from "./tls-fetch.ts";
import { safeText } from "./classify.ts";

/** Tokens as the endpoint answered them. */
export interface TokenAnswer {
  access: string;
  refresh: string;
  expiresInS: number | null;
}

/** A refresh or exchange outcome. */
export type TokenOutcome =
  | { ok: true; tokens: TokenAnswer }
  /** `code` is Tesla's `error` (e.g. invalid_grant), "response_no_token", or "error" for transport/JSON failures. */
  | { ok: false; status: number | null; code: string; reason: string };

async function post(fetchFn: FetchFn, url: string, body: string, contentType: string, timeoutMs: number): Promise<TokenOutcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { accept: "application/json", "Content-Type": contentType },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    const reason = name === "TimeoutError" || name === "AbortError" ? `no answer within ${String(timeoutMs / 1000)} s` : safeText(err instanceof Error ? err.message : String(err));
    return { ok: false, status: null, code: "error", reason: `token endpoint unreachable: ${reason}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, status: res.status, code: "error", reason: `token endpoint answered ${String(res.status)} without JSON` };
  }
  const j = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  if (typeof j.error === "string" && j.error !== "")
    return { ok: false, status: res.status, code: safeText(j.error), reason: `token endpoint answered ${String(res.status)}: ${safeText(j.error)}` };
  if (res.status === 401) return { ok: false, status: 401, code: "invalid_grant", reason: "token endpoint answered 401" };
  if (typeof j.access_token === "string" && j.access_token !== "" && typeof j.refresh_token === "string" && j.refresh_token !== "") {
    const e = Number(j.expires_in);
    return { ok: true, tokens: { access: j.access_token, refresh: j.refresh_token, expiresInS: Number.isFinite(e) && e > 0 ? e : null } };
  }
  if (res.status < 200 || res.status >= 300) return { ok: false, status: res.status, code: "error", reason: `token endpoint answered ${String(res.status)}` };
  return { ok: false, status: res.status, code: "response_no_token", reason: "the token endpoint's answer holds no tokens" };
}

/** §2.3 refresh: JSON body with `scope: offline_access` to the fleet-auth token URL. */
export function refreshRequest(fetchFn: FetchFn, tokenUrl: string, clientId: string, refreshToken: string, timeoutMs: number): Promise<TokenOutcome> {
  const body = JSON.stringify({ client_id: clientId, grant_type: "refresh_token", refresh_token: refreshToken, scope: "offline_access" });
  return post(fetchFn, tokenUrl, body, "application/json", timeoutMs);
}

/** §2.4 step 3: the form-encoded authorization_code exchange. */
export function exchangeRequest(fetchFn: FetchFn, tokenUrl: string, form: Readonly<Record<string, string>>, timeoutMs: number): Promise<TokenOutcome> {
  return post(fetchFn, tokenUrl, new URLSearchParams(form).toString(), "application/x-www-form-urlencoded", timeoutMs);
}
