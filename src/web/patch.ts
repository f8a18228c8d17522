/**
 * Applies RFC 6902 JSON Patches (add / remove / replace only, the operations the server's diff
 * produces, http-api.md §8.2) without mutating the input: every container on a changed path is copied,
 * so unchanged sub-trees keep their identity (cheap change detection in the components).
 */

/** One patch operation as received from the server (validated by applyPatch). */
export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/** Raised when a patch does not fit the document (the caller resynchronises). */
export class PatchError extends Error {}

/** Splits an RFC 6901 JSON Pointer into unescaped reference tokens. */
export function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer '${path}'`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === "object" && v !== null;
}

function copy(c: Container): Container {
  return Array.isArray(c) ? c.slice() : { ...c };
}

/** defineProperty, not assignment: a "__proto__" key must become an own property. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index '${token}'`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new PatchError(`array index ${i} out of range`);
  return i;
}

function applyOne(doc: unknown, op: PatchOperation): unknown {
  const tokens = parsePointer(op.path);
  if (op.op !== "add" && op.op !== "remove" && op.op !== "replace")
    throw new PatchError(`unsupported op '${op.op}'`);
  if (tokens.length === 0) {
    if (op.op === "remove") throw new PatchError("cannot remove the document root");
    return op.value;
  }
  if (!isContainer(doc)) throw new PatchError(`path '${op.path}' does not exist`);
  const root = copy(doc);
  let parent: Container = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] ?? "";
    const child: unknown = Array.isArray(parent)
      ? parent[arrayIndex(parent, t, false)]
      : Object.hasOwn(parent, t)
        ? parent[t]
        : undefined;
    if (!isContainer(child)) throw new PatchError(`path '${op.path}' does not exist`);
    const c = copy(child);
    if (Array.isArray(parent)) parent[Number(t)] = c;
    else setOwn(parent, t, c);
    parent = c;
  }
  const last = tokens[tokens.length - 1] ?? "";
  if (Array.isArray(parent)) {
    const idx = arrayIndex(parent, last, op.op === "add");
    if (op.op === "add") parent.splice(idx, 0, op.value);
    else if (op.op === "remove") parent.splice(idx, 1);
    else parent[idx] = op.value;
  } else {
    if (op.op !== "add" && !Object.hasOwn(parent, last))
      throw new PatchError(`path '${op.path}' does not exist`);
    if (op.op === "remove") delete parent[last];
    else setOwn(parent, last, op.value);
  }
  return root;
}

/** Returns `doc` with every operation applied in order; throws PatchError when one does not apply. */
export function applyPatch<T>(doc: T, ops: readonly PatchOperation[]): T {
  let cur: unknown = doc;
  for (const op of ops) cur = applyOne(cur, op);
  return cur as T;
}

/** Narrows an untrusted value to a list of patch operations (null when malformed). */
export function asPatchOps(v: unknown): PatchOperation[] | null {
  if (!Array.isArray(v)) return null;
  const out: PatchOperation[] = [];
  for (const item of v) {
    if (typeof item !== "object" || item === null) return null;
    const rec = item as Record<string, unknown>;
    if (typeof rec.op !== "string" || typeof rec.path !== "string") return null;
    out.push({ op: rec.op, path: rec.path, ...(Object.hasOwn(rec, "value") ? { value: rec.value } : {}) });
  }
  return out;
}
