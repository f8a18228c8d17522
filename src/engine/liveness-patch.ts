/**
 * The once-a-second change of an idle controller (issue 9 §7: a cheap idle). Every heartbeat answer
 * moves the liveness of its slave record (`lastRxAtMs`, `lastHeartbeatAtMs`; in the state document the
 * charger's `lastHeartbeatAt`, `lastAnswerAt` and `responding`) and the running mean of its reported
 * amps, which the document does not show. While no car changes anything else, that is all. When the
 * slaves differ only there (and every other refresh input is the same), the engine patches those
 * fields into the current document instead of rebuilding it: the result is the document a full build
 * would make (state-projection.test.ts checks it against one). Pure.
 */
import type { SlaveState } from "../bus/slave-state.ts";
import type { Charger, StateDocument } from "../state/types.ts";

/** Now and the link timeout: a charger silent for longer reads "not responding" (issue 12 §4). */
export interface Liveness {
  nowMs: number;
  timeoutMs: number;
}

/** Converts epoch ms to the document's ISO local time format. */
export type IsoFormatter = (epochMs: number) => string;

/**
 * The slave fields that change with every answer: the liveness (the only fields a patch writes) and
 * the running mean of the reported amps (controller.md §3), which the document never shows.
 */
const PER_ANSWER_KEYS: ReadonlySet<string> = new Set(["lastRxAtMs", "lastHeartbeatAtMs", "historyAvgAmps", "historyNumSamples"]);

/** The charger fields a slave's liveness decides (the last of a Charger entry, in this order). */
export function livenessFields(
  s: SlaveState,
  iso: IsoFormatter,
  liveness?: Liveness,
): Pick<Charger, "lastHeartbeatAt" | "responding" | "lastAnswerAt"> {
  const lastHeartbeatAt = s.lastHeartbeatAtMs === null ? null : iso(s.lastRxAtMs);
  if (!liveness) return { lastHeartbeatAt };
  return {
    lastHeartbeatAt,
    responding: liveness.nowMs - s.lastRxAtMs <= liveness.timeoutMs,
    lastAnswerAt: iso(s.lastHeartbeatAtMs ?? s.linkedAtMs),
  };
}

/** The same JSON-like value: primitives by Object.is, arrays and plain objects member by member. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (!Object.hasOwn(rb, k) || !sameValue(ra[k], rb[k])) return false;
  return true;
}

/** True when the two slave lists hold the same slaves, in order, differing at most in their liveness fields. */
export function sameBesidesLiveness(a: readonly SlaveState[], b: readonly SlaveState[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as unknown as Record<string, unknown>;
    const y = b[i] as unknown as Record<string, unknown>;
    if (x === y) continue;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) if (!PER_ANSWER_KEYS.has(k) && (!Object.hasOwn(y, k) || !sameValue(x[k], y[k]))) return false;
  }
  return true;
}

/**
 * `prev` with each charger's liveness fields taken from `slaves` (the slaves `prev` was built from,
 * moved on only in their liveness: sameBesidesLiveness). Unchanged chargers keep their objects.
 */
export function withLiveness(
  prev: Readonly<StateDocument>,
  slaves: readonly SlaveState[],
  iso: IsoFormatter,
  liveness: Liveness,
): Omit<StateDocument, "revision"> {
  const { revision: _revision, ...rest } = prev;
  const chargers = prev.chargers.map((c, k) => {
    const s = slaves[k];
    if (s === undefined) return c;
    const f = livenessFields(s, iso, liveness);
    return f.lastHeartbeatAt === c.lastHeartbeatAt && f.responding === c.responding && f.lastAnswerAt === c.lastAnswerAt
      ? c
      : { ...c, ...f };
  });
  return { ...rest, chargers };
}
