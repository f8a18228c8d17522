/**
 * The IMPLAUSIBLE_READING alert of each slave (issue "the bus", item 8): counts refused readings by
 * field, keeps one note per field for the alert message, and clears the alert once the slave sent
 * nothing implausible for a while. Pure; used by registry.ts and link.ts.
 */
import { twcId, twcIdHex } from "../protocol/frames.ts";
import type { TwcId } from "../protocol/frames.ts";
import { logEffect } from "./effects.ts";
import type { Effect, Step } from "./effects.ts";
import { READING_FIELDS, type ReadingField } from "./plausibility.ts";

/** What a slave's IMPLAUSIBLE_READING alert says, and since when nothing new was refused. */
export interface ImplausibleNotes {
  /** Epoch ms of the last refusal. */
  readonly atMs: number;
  readonly notes: Readonly<Partial<Record<ReadingField, string>>>;
}

/** The IMPLAUSIBLE_READING message for one slave's notes. */
/** The part of the link state that counts refused readings and remembers them per slave (registry.ts LinkState has it). */
export interface ImplausibleBook {
  readonly implausible: Readonly<Record<ReadingField, number>>;
  readonly implausibleSeen: Readonly<Record<string, ImplausibleNotes>>;
}

function implausibleMessage(id: TwcId, notes: ImplausibleNotes["notes"]): string {
  const parts = READING_FIELDS.flatMap((field) => {
    const note = notes[field];
    return note === undefined ? [] : [`${field} ${note}`];
  });
  return `TWC ${twcIdHex(id)} reported implausible values, not used: ${parts.join("; ")}.`;
}

/** Counts a refused field, remembers it for the slave's alert, logs it and raises the alert. */
export function noteImplausible<S extends ImplausibleBook>(
  state: S,
  id: TwcId,
  field: ReadingField,
  text: string,
  now: number,
): Step<S> {
  const key = twcIdHex(id);
  const prev = state.implausibleSeen[key];
  const isNew = prev?.notes[field] !== text;
  const seen: ImplausibleNotes = { atMs: now, notes: { ...prev?.notes, [field]: text } };
  const message = implausibleMessage(id, seen.notes);
  return {
    state: {
      ...state,
      implausible: { ...state.implausible, [field]: state.implausible[field] + 1 },
      implausibleSeen: { ...state.implausibleSeen, [key]: seen },
    },
    effects: [
      logEffect(
        isNew ? "warn" : "debug",
        "IMPLAUSIBLE_READING",
        `TWC ${key} reported an implausible ${field}: ${text}; not used`,
      ),
      { type: "alert", op: "raise", code: "IMPLAUSIBLE_READING", message, twcId: id },
    ],
  };
}

/** Clears IMPLAUSIBLE_READING for slaves that sent nothing implausible for `quietMs`. */
export function expireImplausible<S extends ImplausibleBook>(state: S, now: number, quietMs: number): Step<S> {
  const effects: Effect[] = [];
  const kept: Record<string, ImplausibleNotes> = {};
  for (const [key, seen] of Object.entries(state.implausibleSeen)) {
    if (now - seen.atMs > quietMs) {
      effects.push({
        type: "alert",
        op: "clear",
        code: "IMPLAUSIBLE_READING",
        twcId: twcId(Number.parseInt(key, 16)),
      });
    } else kept[key] = seen;
  }
  if (effects.length === 0) return { state, effects };
  return { state: { ...state, implausibleSeen: kept }, effects };
}
