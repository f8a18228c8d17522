/**
 * An ordered JSON serialiser (http-api.md §6.2): JavaScript orders integer-like keys such as "4142"
 * numerically, so keyed-by-ID documents are rendered from [key, value] pairs instead.
 */

/** An object whose key order is preserved when rendered. */
export class OrderedObject {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

function members(value: object): readonly (readonly [string, unknown])[] {
  const entries = value instanceof OrderedObject ? value.entries : Object.entries(value as Record<string, unknown>);
  return entries.filter(([, v]) => v !== undefined && typeof v !== "function");
}

function render(value: unknown, indent: string, step: string): string {
  if (value !== null && typeof value === "object" && !(value instanceof OrderedObject) && "toJSON" in value) {
    const toJSON = value.toJSON;
    if (typeof toJSON === "function") return render(toJSON.call(value) as unknown, indent, step);
  }
  const inner = indent + step;
  const open = step === "" ? "" : `\n${inner}`;
  const close = step === "" ? "" : `\n${indent}`;
  const sep = step === "" ? "," : `,\n${inner}`;
  const colon = step === "" ? ":" : ": ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v: unknown) => render(v === undefined || typeof v === "function" ? null : v, inner, step));
    return `[${open}${items.join(sep)}${close}]`;
  }
  if (typeof value === "object" && value !== null) {
    const parts = members(value).map(([k, v]) => `${JSON.stringify(k)}${colon}${render(v, inner, step)}`);
    return parts.length === 0 ? "{}" : `{${open}${parts.join(sep)}${close}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value) ?? "null";
}

/**
 * Serialises like JSON.stringify (compact, or indented by `space` spaces), keeping the order of
 * OrderedObject entries.
 */
export function orderedStringify(value: unknown, space = 0): string {
  return render(value, "", " ".repeat(space));
}
