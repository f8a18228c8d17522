/**
 * Render caches for hot read endpoints (docs/performance.md): a legacy document is rendered once per
 * combination of its inputs — compared by identity, so a new state snapshot, settings object or energy
 * computation renders afresh — instead of once per request. Pure.
 */

/** Memoises `render` on the values returned by `inputs` (compared with ===, in order). */
export function memoByInputs<T>(inputs: () => readonly unknown[], render: () => T): () => T {
  let last: readonly unknown[] | null = null;
  let value: T | undefined;
  return () => {
    const now = inputs();
    if (last === null || now.length !== last.length || now.some((v, i) => v !== last![i])) {
      value = render();
      last = now;
    }
    return value as T;
  };
}

/** Memoises a one-argument function on the identity of its last argument (e.g. JSON.stringify of a cached object). */
export function memoLast<A, T>(fn: (arg: A) => T): (arg: A) => T {
  let hasLast = false;
  let lastArg: A | undefined;
  let value: T | undefined;
  return (arg) => {
    if (!hasLast || arg !== lastArg) {
      value = fn(arg);
      lastArg = arg;
      hasLast = true;
    }
    return value as T;
  };
}
