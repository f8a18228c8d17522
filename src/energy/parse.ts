/**
 * Parsing of power values delivered by energy sources (config.md §5.4). Pure.
 */

const POWER_TEXT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(w|kw)?$/i;

/**
 * Parses a body such as `1234`, `1234 W` or `1.5kW` into watts (kW × 1000); null for anything else
 * (`n/a`, `12 Wh`, empty). Surrounding whitespace is ignored.
 */
export function parsePowerText(body: string): number | null {
  const m = POWER_TEXT.exec(body.trim());
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return null;
  return m[2]?.toLowerCase() === "kw" ? n * 1000 : n;
}

/**
 * Parses an MQTT payload: the text rule of {@link parsePowerText}, else JSON — a number, a string in the
 * text format, or an object `{"value": n}` (n a number or such a string). Null when unusable.
 */
export function parsePowerPayload(payload: string): number | null {
  const direct = parsePowerText(payload);
  if (direct !== null) return direct;
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof json === "object" && json !== null && !Array.isArray(json) && "value" in json) {
    json = json.value;
  }
  if (typeof json === "number") return Number.isFinite(json) ? json : null;
  if (typeof json === "string") return parsePowerText(json);
  return null;
}

/** Parses a Home Assistant state: a plain number (as text); `unavailable`, `unknown`, "" → null. */
export function parseNumberText(state: string): number | null {
  const t = state.trim();
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
