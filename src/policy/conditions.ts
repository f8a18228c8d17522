/**
 * Evaluation of policy conditions and condition groups on the server (controller.md §16.4): resolves
 * each operand with the macros and applies the shared semantics of compare.ts (the web's Policy page
 * uses the same module, so both sides agree).
 */
import { compare, groupOp, positionAt, positionCount } from "./compare.ts";
import { resolve } from "./macros.ts";
import type { MacroContext } from "./macros.ts";
import type { Policy } from "./types.ts";

/**
 * Evaluates parallel condition lists. Depth 0 is AND; a position where match, condition and value are
 * all lists is a sub-group with the opposite combinator (alternating with depth). AND stops at the first
 * false (empty → true), OR at the first true (empty → false). Malformed positions count as false.
 */
export function evaluateConditions(
  match: readonly unknown[],
  condition: readonly unknown[],
  value: readonly unknown[],
  ctx: MacroContext,
  depth = 0,
): boolean {
  const isAnd = groupOp(depth) === "and";
  const n = positionCount(match, condition, value);
  for (let i = 0; i < n; i++) {
    const p = positionAt(match, condition, value, i, depth);
    let ok: boolean;
    if (p.kind === "group") ok = evaluateConditions(p.match, p.condition, p.value, ctx, depth + 1);
    else if (p.kind === "leaf") ok = compare(resolve(p.match, ctx), p.condition, resolve(p.value, ctx));
    else ok = false;
    if (isAnd && !ok) return false;
    if (!isAnd && ok) return true;
  }
  return isAnd;
}

/** True when all top-level conditions of the policy hold. */
export function policyMatches(
  policy: Pick<Policy, "match" | "condition" | "value">,
  ctx: MacroContext,
): boolean {
  return evaluateConditions(policy.match, policy.condition, policy.value, ctx);
}
