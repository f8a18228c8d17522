/**
 * An ordered JSON serialiser (http-api.md §6.2): JavaScript orders integer-like keys such as "4142"
 * numerically, so keyed-by-ID documents are rendered from [key, value] pairs instead.
 */

/** An object whose key order is preserved when rendered. */
export class OrderedObject {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

/** Serialises like JSON.stringify (compact), keeping the order of OrderedObject entries. */
export function orderedStringify(value: unknown): string {
  if (value instanceof OrderedObject) {
    const parts = value.entries
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${orderedStringify(v)}`);
    return `{${parts.join(",")}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => orderedStringify(v === undefined ? null : v)).join(",")}]`;
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${orderedStringify(v)}`);
    return `{${parts.join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value) ?? "null";
}
