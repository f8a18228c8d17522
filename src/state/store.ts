/**
 * The single typed state stream (design.md §10): holds the current StateDocument, bumps the revision
 * on every change and emits the JSON Patch that produced it. Every output reads from here. Beside the
 * document it holds the exact (unrounded) energy figures of the same step, which the legacy getStatus
 * and the history recorder show; they are never part of the document or of a patch.
 */
import { EventEmitter } from "node:events";
import { diff } from "./diff.ts";
import type { PatchOp, StateDocument } from "./types.ts";

/** One revision step. */
export interface StatePatch {
  from: number;
  to: number;
  ops: PatchOp[];
}

/** Exact (unrounded) energy figures computed in the same step as the document. */
export interface ExactEnergy {
  chargerLoadW: number;
  consumptionW: number;
  generationW: number;
  voltage: number;
  phases: number;
}

/** The exact figures before anything was computed: no load, no readings, 240 V single phase. */
export const NO_EXACT_ENERGY: Readonly<ExactEnergy> = Object.freeze({
  chargerLoadW: 0,
  consumptionW: 0,
  generationW: 0,
  voltage: 240,
  phases: 1,
});

/** Number of patches kept for Last-Event-ID replay. */
export const PATCH_HISTORY = 256;

/** A deep copy of a JSON value (the document holds nothing else); several times cheaper than structuredClone. */
export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const v = cloneJson(src[k]);
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out as T;
}

/** Holds the state document and publishes changes. */
export class StateStore {
  private doc: StateDocument;
  private exactEnergy: Readonly<ExactEnergy>;
  private readonly history: StatePatch[] = [];
  private readonly events = new EventEmitter();

  constructor(initial: Omit<StateDocument, "revision">, exact: Readonly<ExactEnergy> = NO_EXACT_ENERGY) {
    this.doc = { ...cloneJson(initial), revision: 1 };
    this.exactEnergy = exact;
    this.events.setMaxListeners(100);
  }

  /** The current document (do not mutate). */
  get snapshot(): Readonly<StateDocument> {
    return this.doc;
  }

  /** The exact energy figures published with the current document (a new object whenever they change). */
  get exact(): Readonly<ExactEnergy> {
    return this.exactEnergy;
  }

  /** Current revision. */
  get revision(): number {
    return this.doc.revision;
  }

  /**
   * Replaces the document by `mutate(copy)`; when anything changed, bumps the revision and emits
   * a "patch" event. Returns the patch or null.
   */
  update(mutate: (draft: StateDocument) => void): StatePatch | null {
    const draft = cloneJson(this.doc);
    mutate(draft);
    return this.commit(draft);
  }

  /**
   * Publishes `next` as the document (the caller hands it over: it is never mutated afterwards, and it
   * may share unchanged parts with the current snapshot, which is never mutated either) together with
   * the exact energy figures of the same step. The patch is the one `update` would produce; returns it
   * or null when the document did not change (the figures are replaced either way).
   */
  publish(next: Omit<StateDocument, "revision">, exact: Readonly<ExactEnergy>): StatePatch | null {
    this.exactEnergy = exact;
    return this.commit({ ...next, revision: this.doc.revision });
  }

  private commit(draft: StateDocument): StatePatch | null {
    draft.revision = this.doc.revision;
    const ops = diff(this.doc, draft);
    if (ops.length === 0) return null;
    const from = this.doc.revision;
    draft.revision = from + 1;
    ops.push({ op: "replace", path: "/revision", value: draft.revision });
    this.doc = draft;
    const patch: StatePatch = { from, to: draft.revision, ops };
    this.history.push(patch);
    if (this.history.length > PATCH_HISTORY) this.history.shift();
    this.events.emit("patch", patch);
    return patch;
  }

  /** The patches after `revision`, or null when they are no longer kept. */
  patchesSince(revision: number): StatePatch[] | null {
    if (revision === this.doc.revision) return [];
    const idx = this.history.findIndex((p) => p.from === revision);
    if (idx < 0) return null;
    return this.history.slice(idx);
  }

  /** Subscribes to patches; returns the unsubscribe function. */
  onPatch(listener: (patch: StatePatch) => void): () => void {
    this.events.on("patch", listener);
    return () => this.events.off("patch", listener);
  }
}
