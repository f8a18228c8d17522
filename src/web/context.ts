/**
 * Shared services of the running app: the live state and the known settings. Pages read them
 * through the properties the app passes down and call these functions after actions.
 */
import { getJson } from "./api.ts";
import type { WebClock } from "./clock.ts";
import { LiveState } from "./live.ts";
import { fetchSettings } from "./settings-model.ts";

/** The real browser clock (the only place the web UI reads the time or starts timers). */
export const browserClock: WebClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (h) => window.clearTimeout(h),
  setInterval: (fn, ms) => window.setInterval(fn, ms),
  clearInterval: (h) => window.clearInterval(h),
};

/** The one live-state instance of the page. */
export const live = new LiveState({
  clock: browserClock,
  openStream: (url) => new EventSource(url),
  fetchState: () => getJson("/api/v2/state"),
});

type SettingsListener = (s: Record<string, unknown> | null) => void;
const settingsListeners = new Set<SettingsListener>();
let settingsCache: Record<string, unknown> | null = null;
let settingsUnsupported = false;

/** Settings from the optional settings endpoint (null when the server does not offer them). */
export function knownSettings(): Record<string, unknown> | null {
  return settingsCache;
}

/** Re-reads the settings and the state after an action changed them. */
export async function reloadSettings(): Promise<void> {
  if (settingsUnsupported) return;
  const r = await fetchSettings();
  if (r === "unsupported") {
    settingsUnsupported = true;
    return;
  }
  settingsCache = r;
  for (const fn of settingsListeners) fn(settingsCache);
}

/** Subscribes to settings reloads. */
export function onSettings(fn: SettingsListener): () => void {
  settingsListeners.add(fn);
  return () => settingsListeners.delete(fn);
}

/** After a successful action: pull the state at once (the stream follows within 250 ms anyway). */
export function afterAction(): void {
  void live.refresh();
  void reloadSettings();
}
