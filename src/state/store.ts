/**
 * The single typed state stream (design.md §10): holds the current StateDocument, bumps the revision
 * on every change and emits the JSON Patch that produced it. Every output reads from here.
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

/** Number of patches kept for Last-Event-ID replay. */
export const PATCH_HISTORY = 256;

/** Holds the state document and publishes changes. */
export class StateStore {
  private doc: StateDocument;
  private readonly history: StatePatch[] = [];
  private readonly events = new EventEmitter();

  constructor(initial: Omit<StateDocument, "revision">) {
    this.doc = { ...structuredClone(initial), revision: 1 };
    this.events.setMaxListeners(100);
  }

  /** The current document (do not mutate). */
  get snapshot(): Readonly<StateDocument> {
    return this.doc;
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
    const draft = structuredClone(this.doc);
    mutate(draft);
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
