/**
 * Source order of object keys in a JSON text. JavaScript objects list integer-like keys ("10", "2")
 * first and in numeric order, so the order a user (or TWCManager) wrote is recovered from the text.
 */

const STRING = /"(?:[^"\\]|\\.)*"/y;

/**
 * The keys of the object held by the top-level member `member` of a JSON object text, in source
 * order (first occurrence of each; the last occurrence of `member` wins, as in JSON.parse). Returns
 * [] when the member is absent or not an object. The text must be valid JSON.
 */
export function memberKeyOrder(text: string, member: string): string[] {
  const stack: ("{" | "[")[] = [];
  let result: string[] = [];
  let collecting: string[] | null = null;
  let expectKey = false;
  let pendingMember = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const depth = stack.length;
    if (c === '"') {
      STRING.lastIndex = i;
      const m = STRING.exec(text);
      if (m === null) return result;
      i += m[0].length - 1;
      if (expectKey) {
        const key = JSON.parse(m[0]) as string;
        if (depth === 1) pendingMember = key === member;
        else if (depth === 2 && collecting !== null && !collecting.includes(key)) collecting.push(key);
        expectKey = false;
      } else if (depth === 1) {
        pendingMember = false;
      }
    } else if (c === "{" || c === "[") {
      stack.push(c);
      expectKey = c === "{";
      if (stack.length === 2 && pendingMember && c === "{") collecting = [];
      pendingMember = false;
    } else if (c === "}" || c === "]") {
      if (depth === 2 && collecting !== null) {
        result = collecting;
        collecting = null;
      }
      stack.pop();
      expectKey = false;
    } else if (c === ",") {
      expectKey = stack[stack.length - 1] === "{";
    } else if (c !== ":" && c !== " " && c !== "\n" && c !== "\r" && c !== "\t" && c !== "\ufeff") {
      if (depth === 1) pendingMember = false;
    }
  }
  return result;
}

/**
 * The entries of `record` ordered by `order` (names missing from the record skipped), then any names
 * of the record not in `order`, in the record's own order.
 */
export function orderedEntries<T>(record: Readonly<Record<string, T>>, order: readonly string[]): [string, T][] {
  const out: [string, T][] = [];
  const seen = new Set<string>();
  for (const name of order) {
    if (Object.hasOwn(record, name) && !seen.has(name)) {
      out.push([name, record[name] as T]);
      seen.add(name);
    }
  }
  for (const [name, v] of Object.entries(record)) if (!seen.has(name)) out.push([name, v]);
  return out;
}
