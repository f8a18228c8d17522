/**
 * Comment stripper for config.json (config.md §3.1). Blanks `#` and `//` line comments and `/* … *\/`
 * block comments with spaces, outside string literals only, so that line and column numbers of the
 * remaining text stay exact. A leading UTF-8 BOM is removed. Pure.
 */

/** Removes a leading byte-order mark (U+FEFF). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Replaces every character except line breaks with a space. */
function blank(s: string): string {
  return s.replace(/[^\r\n]/g, " ");
}

/**
 * Returns `text` without its BOM and with every comment outside string literals replaced by spaces.
 * Strings are double-quoted JSON strings; a string never spans a line break (JSON forbids raw newlines),
 * so an unterminated string ends at the end of its line and cannot swallow the rest of the file.
 */
export function stripComments(text: string): string {
  const src = stripBom(text);
  let out = "";
  let i = 0;
  let copyFrom = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < n) {
        const d = src[i];
        if (d === "\\") {
          i += src[i + 1] === "\n" || src[i + 1] === "\r" ? 1 : 2;
        } else if (d === '"') {
          i++;
          break;
        } else if (d === "\n" || d === "\r") {
          break;
        } else {
          i++;
        }
      }
      continue;
    }
    let end = -1;
    if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      end = i;
      while (end < n && src[end] !== "\n" && src[end] !== "\r") end++;
    } else if (c === "/" && src[i + 1] === "*") {
      const close = src.indexOf("*/", i + 2);
      end = close === -1 ? n : close + 2;
    }
    if (end === -1) {
      i++;
      continue;
    }
    out += src.slice(copyFrom, i) + blank(src.slice(i, end));
    i = end;
    copyFrom = end;
  }
  return out + src.slice(copyFrom);
}
