/**
 * Request body parsing for the legacy POST endpoints (http-api.md §4.3): Content-Type is ignored and
 * the body is parsed as JSON with our own error messages. Pure.
 */

/** A parsed body or the 400 message. */
export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

const MAX_DEPTH = 32;

function depthAndNamesOk(value: unknown, depth: number): "ok" | "deep" | "name" {
  if (depth > MAX_DEPTH) return "deep";
  if (Array.isArray(value)) {
    for (const v of value) {
      const r = depthAndNamesOk(v, depth + 1);
      if (r !== "ok") return r;
    }
    return "ok";
  }
  if (typeof value === "object" && value !== null) {
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (key === "__proto__") return "name";
      if (key === "constructor" && typeof v === "object" && v !== null && "prototype" in v) return "name";
      const r = depthAndNamesOk(v, depth + 1);
      if (r !== "ok") return r;
    }
  }
  return "ok";
}

/** Nesting depth of the raw text (counted before JSON.parse so deep input cannot blow the stack). */
function rawDepthExceeds(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) return true;
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
  if (rawDepthExceeds(text)) return { ok: false, message: "Invalid JSON: nesting too deep" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Invalid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "JSON must be an object, not an array or primitive" };
  }
  const check = depthAndNamesOk(value, 1);
  if (check === "deep") return { ok: false, message: "Invalid JSON: nesting too deep" };
  if (check === "name") return { ok: false, message: "Invalid JSON: forbidden property name" };
  return { ok: true, value: value as Record<string, unknown> };
}
