/**
 * Request body parsing for the legacy POST endpoints (http-api.md §4.3): Content-Type is ignored and
 * the body is parsed as JSON with our own error messages. Pure.
 */

/** A parsed body or the 400 message. */
export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** Deepest nesting accepted (http-api.md §4.3): objects and arrays count, values inside them do not. */
export const MAX_BODY_DEPTH = 32;

/** The 400 message for a body nested deeper than MAX_BODY_DEPTH. */
export const TOO_DEEP_MESSAGE = `Invalid JSON: nesting too deep (limit ${MAX_BODY_DEPTH} levels)`;

/** True when a property named `__proto__`, or a `constructor` holding `prototype`, appears anywhere. */
function hasForbiddenName(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasForbiddenName);
  if (typeof value !== "object" || value === null) return false;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (key === "__proto__") return true;
    if (key === "constructor" && typeof v === "object" && v !== null && "prototype" in v) return true;
    if (hasForbiddenName(v)) return true;
  }
  return false;
}

/**
 * True when the raw text nests objects/arrays deeper than MAX_BODY_DEPTH (`{"a":1}` is one level).
 * Counted before JSON.parse, so deep input can blow neither the parser's nor our own stack.
 */
export function rawDepthExceeds(text: string, max: number = MAX_BODY_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Parses a raw request body as a JSON object following http-api.md §4.3. */
export function parseJsonBody(raw: Uint8Array | string | undefined | null): BodyResult {
  let text: string;
  if (raw === undefined || raw === null) text = "";
  else if (typeof raw === "string") text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  else {
    try {
      text = decoder.decode(raw);
    } catch {
      return { ok: false, message: "Invalid JSON: body is not valid UTF-8" };
    }
  }
  if (text.trim() === "") return { ok: true, value: {} };
  if (rawDepthExceeds(text)) return { ok: false, message: TOO_DEEP_MESSAGE };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Invalid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "JSON must be an object, not an array or primitive" };
  }
  // The depth is bounded above, so this walk cannot overflow the stack.
  if (hasForbiddenName(value)) return { ok: false, message: "Invalid JSON: forbidden property name" };
  return { ok: true, value: value as Record<string, unknown> };
}
