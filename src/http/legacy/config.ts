/**
 * `GET /api/getConfig` (http-api.md §6.3): config.json as loaded, with secrets redacted structurally at
 * any depth by key name. Pure.
 */

/** Key names whose values are secrets. */
export const SECRET_KEY = /pass(word)?|secret|token|api.?key|dsn|credential/i;

/** What a redacted value is replaced with. */
export const HIDDEN = "(hidden)";

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps keys such as "__proto__" as ordinary own data properties.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A deep copy of `value` where every property whose key matches SECRET_KEY has its value (whatever its
 * type) replaced by "(hidden)". Key order and structure are kept; non-JSON values become null.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 256) return null;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      setOwn(out, k, SECRET_KEY.test(k) ? HIDDEN : redactSecrets(v, depth + 1));
    return out;
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  return null;
}

/** The getConfig body. */
export function renderConfig(raw: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(redactSecrets(raw));
}
