/** CSV building (RFC 4180 quoting, pure). */

/** One CSV cell. */
export type Cell = string | number | null;

function quote(c: Cell): string {
  if (c === null) return "";
  const s = String(c);
  // A leading = + - @ could be run as a formula by spreadsheets: prefix it with an apostrophe.
  const safe = typeof c === "string" && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows → CSV text with CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";
}
