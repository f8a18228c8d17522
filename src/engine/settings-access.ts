/** The settings access the orchestration needs (implemented by config/settings-store.ts). */
import type { Settings } from "../config/settings-schema.ts";

/** Typed reads of settings.json, patches (custom keys allowed; undefined deletes a key), save health. */
export interface SettingsAccess {
  /** The current settings (a new object after each change; do not mutate). */
  get(): Readonly<Settings>;
  update(patch: Readonly<Record<string, unknown>>): void;
  readonly saveFailed: boolean;
  readonly recovered: boolean;
}
