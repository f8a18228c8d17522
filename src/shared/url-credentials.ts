/**
 * `http://user:pass@host/…` URLs in configs (energy sources, webhooks) mean HTTP Basic authentication,
 * but fetch refuses URLs with credentials. This moves them into an Authorization header. Pure.
 */

/** A URL without userinfo and the headers that carry it instead. */
export interface SplitUrl {
  url: string;
  headers: Record<string, string>;
}

/** Splits the userinfo off an absolute URL into a Basic Authorization header; other URLs are returned unchanged. */
export function splitUserinfo(url: string): SplitUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers: {} };
  }
  if (parsed.username === "" && parsed.password === "") return { url, headers: {} };
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), headers: { Authorization: `Basic ${Buffer.from(`${user}:${pass}`, "utf8").toString("base64")}` } };
}

/** Merges the split credentials into a fetch init (an Authorization header already given wins). */
export function withUrlCredentials(url: string, init: RequestInit): { url: string; init: RequestInit } {
  const split = splitUserinfo(url);
  if (Object.keys(split.headers).length === 0) return { url, init };
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(split.headers)) if (!headers.has(k)) headers.set(k, v);
  return { url: split.url, init: { ...init, headers } };
}
