/**
 * JSON Patch diff (http-api.md §8.2): objects per key, arrays of equal length per index, arrays whose
 * length changed replaced whole. Only add/remove/replace are produced. Pure.
 */
import type { PatchOp } from "./types.ts";

/** Escapes one RFC 6901 path segment. */
export function pointerSegment(key: string): string {
  return key.includes("~") || key.includes("/") ? key.replace(/~/g, "~0").replace(/\//g, "~1") : key;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The operations that turn `from` into `to`. */
export function diff(from: unknown, to: unknown, path = ""): PatchOp[] {
  const ops: PatchOp[] = [];
  walk(from, to, path, ops);
  return ops;
}

// Runs for every state change (docs/performance.md): identical values are skipped before a path is built.
function walk(a: unknown, b: unknown, path: string, ops: PatchOp[]): void {
  if (a === b) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      ops.push({ op: "replace", path, value: b });
      return;
    }
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) walk(a[i], b[i], `${path}/${i}`, ops);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const aKeys = Object.keys(a);
    const bKeys = Object.keys(b);
    // When every key of b is in a and both have as many keys, no key of a is missing from b.
    let shared = 0;
    for (const key of bKeys) if (Object.hasOwn(a, key)) shared++;
    if (shared !== aKeys.length) {
      for (const key of aKeys) {
        if (!Object.hasOwn(b, key)) ops.push({ op: "remove", path: `${path}/${pointerSegment(key)}` });
      }
    }
    for (const key of bKeys) {
      if (!Object.hasOwn(a, key)) ops.push({ op: "add", path: `${path}/${pointerSegment(key)}`, value: b[key] });
      else if (a[key] !== b[key]) walk(a[key], b[key], `${path}/${pointerSegment(key)}`, ops);
    }
    return;
  }
  if (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)) return;
  ops.push({ op: "replace", path, value: b });
}

function unescapeSegment(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Applies operations produced by diff() to a deep copy of `doc` (used by tests and the web UI). */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  let root: unknown = structuredClone(doc);
  for (const op of ops) {
    if (op.path === "") {
      if (op.op !== "remove") root = structuredClone(op.value);
      continue;
    }
    const segs = op.path.slice(1).split("/").map(unescapeSegment);
    const last = segs.pop() as string;
    let parent: unknown = root;
    for (const s of segs) parent = Object.hasOwn(parent as object, s) ? (parent as Record<string, unknown>)[s] : undefined;
    const container = parent as Record<string, unknown>;
    if (op.op === "remove") {
      if (Array.isArray(container)) container.splice(Number(last), 1);
      else delete container[last];
    } else if (Array.isArray(container) && op.op === "add") {
      container.splice(last === "-" ? container.length : Number(last), 0, structuredClone(op.value));
    } else {
      Object.defineProperty(container, last, { value: structuredClone(op.value), enumerable: true, writable: true, configurable: true });
    }
  }
  return root as T;
}
