/**
 * Thin fetch wrappers for the product's HTTP API. Every failure becomes `{ok: false, error}` with the
 * server's JSON `{"error": "..."}` message (http-api.md §4.2), so forms can show it next to the field.
 */

/** Result of one API call. */
export type ApiResult<T> =
  { ok: true; status: number; data: T } | { ok: false; status: number; error: string };

async function readError(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body: unknown = JSON.parse(text);
    if (
      typeof body === "object" &&
      body !== null &&
      typeof (body as { error?: unknown }).error === "string"
    ) {
      return (body as { error: string }).error;
    }
  } catch {
    /* not JSON: fall through */
  }
  return `Request failed (HTTP ${res.status})`;
}

const NETWORK_ERROR = "Cannot reach TWCManager (network error)";

async function request(path: string, init: RequestInit, as: "json" | "text"): Promise<ApiResult<unknown>> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", ...init });
  } catch {
    return { ok: false, status: 0, error: NETWORK_ERROR };
  }
  if (!res.ok) return { ok: false, status: res.status, error: await readError(res) };
  try {
    if (as === "text") return { ok: true, status: res.status, data: await res.text() };
    const text = await res.text();
    return { ok: true, status: res.status, data: text === "" ? null : (JSON.parse(text) as unknown) };
  } catch {
    return { ok: false, status: res.status, error: "The server sent an unreadable response" };
  }
}

/** GET a JSON document. */
export function getJson(path: string): Promise<ApiResult<unknown>> {
  return request(path, { method: "GET", headers: { Accept: "application/json" } }, "json");
}

/** GET a text document. */
export function getText(path: string): Promise<ApiResult<string>> {
  return request(path, { method: "GET" }, "text") as Promise<ApiResult<string>>;
}

/** POST a JSON body (or none); the response body is parsed as JSON when present. */
export function postJson(path: string, body?: unknown): Promise<ApiResult<unknown>> {
  const init: RequestInit = { method: "POST" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  return request(path, init, "json");
}

/**
 * POSTs one of the form routes of vehicles.md §8.1 (which answer 302 to a page for a browser form) as
 * JSON with `Accept: application/json`, so the server answers `{status, redirect}` or `{"error": …}`.
 * `data` is the page the form would have gone to (null when the server named none).
 */
export async function postAction(path: string, body: Record<string, unknown>): Promise<ApiResult<string | null>> {
  const r = await request(
    path,
    { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", Accept: "application/json" } },
    "json",
  );
  if (!r.ok) return r;
  const d = r.data as { redirect?: unknown } | null;
  return { ok: true, status: r.status, data: typeof d?.redirect === "string" ? d.redirect : null };
}

/**
 * The field a server message names, among `fields` (http-api.md §4.2: validation messages name the
 * offending field, e.g. "chargeNowRate must be between 1 and 48" or "value for 'sunrise' must be …").
 * Null when it names none of them (the message is then shown for the whole form).
 */
export function fieldOf(message: string, fields: readonly string[]): string | null {
  for (const f of fields) {
    if (message === f || message.startsWith(`${f} `) || message.includes(`'${f}'`)) return f;
  }
  return null;
}

/** True when the failure means the user must sign in (401). */
export function needsLogin(r: ApiResult<unknown>): boolean {
  return !r.ok && r.status === 401;
}
