/**
 * The module graph of src/ has no import circle (issue 9 "Done when"), type-only imports and
 * re-exports included: every relative import specifier of every non-test file is followed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "../integration/helpers.ts";

const SRC = join(ROOT, "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".test-helper.ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative imports of a file (import … from, export … from, import("…")), resolved to absolute paths. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec !== undefined && spec.startsWith(".")) out.push(resolve(dirname(file), spec));
  }
  return out;
}

/** One circle of the graph (as paths relative to src/), or null. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, "open");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === "open") return [...stack.slice(stack.indexOf(m)), m];
      if (state.get(m) === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of graph.keys()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

test("src/ has no import circle", () => {
  const graph = new Map<string, string[]>();
  for (const f of files(SRC)) graph.set(f, importsOf(f, readFileSync(f, "utf8")));
  assert.ok(graph.size > 100, `only ${graph.size} modules found`);
  const cycle = findCycle(graph);
  assert.equal(cycle, null, `import circle: ${(cycle ?? []).map((p) => relative(SRC, p)).join(" → ")}`);
});

test("the circle finder finds a circle through a type-only import", () => {
  const a = join(SRC, "a.ts");
  const b = join(SRC, "b.ts");
  const edges = importsOf(a, 'import type { X } from "./b.ts";\nexport { y } from "./c.ts";');
  assert.deepEqual(edges, [b, join(SRC, "c.ts")]);
  const graph = new Map([
    [a, edges],
    [b, importsOf(b, 'import { a } from "./a.ts";')],
  ]);
  assert.deepEqual(findCycle(graph), [a, b, a]);
});
