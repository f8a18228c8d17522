/**
 * The legacy views of the HTTP layer (legacy/routes.ts LegacyViews), wired to the product's state:
 * the getStatus and getSlaveTWCs documents are rendered from the state stream and memoised
 * (docs/performance.md), the other views read their source on each request.
 */
import type { SettingsStore } from "../../config/settings-store.ts";
import { policyListView } from "../../policy/build-list.ts";
import { toLocalTime } from "../../policy/local-time.ts";
import type { Policy } from "../../policy/types.ts";
import type { Clock } from "../../shared/clock.ts";
import type { HistoryReader } from "../../history/history-db.ts";
import type { StateStore } from "../../state/store.ts";
import { memoByInputs } from "../memo.ts";
import { legacyHistory } from "./history.ts";
import type { LegacyViews } from "./routes.ts";
import { renderSlaveTWCs } from "./slaves.ts";
import { renderStatus } from "./status.ts";

/** What the legacy views are rendered from. */
export interface LegacyViewSources {
  clock: Clock;
  /** The one state stream (its document and exact energy figures are replaced on every change). */
  state: Pick<StateStore, "snapshot" | "exact">;
  settings: Pick<SettingsStore, "get" | "offsetEntries">;
  policies: readonly Policy[];
  /** Active policy latches: policy index → expiry, epoch seconds (getPolicy). */
  latches(): ReadonlyMap<number, number>;
  /** The getActivePolicyAction scalar (engine/state-projection.ts policyAction). */
  activePolicyAction(): 1 | 2 | 3 | null;
  /** The installation identifier (getUUID). */
  nodeId: string;
  wiringMaxAmpsAllTWCs: number;
  /** config.minAmpsPerTWC (absent: 1). */
  minAmpsPerTWC?: number;
  /** config.json as loaded (getConfig). */
  rawConfig: Readonly<Record<string, unknown>>;
  /** History buckets (getHistory). */
  history: HistoryReader;
}

/** The legacy views over `s`. */
export function createLegacyViews(s: LegacyViewSources): LegacyViews {
  const { clock, settings } = s;
  return {
    // docs/performance.md: rendered once per state snapshot (document and exact energy figures),
    // settings object, minute (currentServerTime) and Charge Now expiry — not once per request.
    status: memoByInputs(
      () => {
        const now = clock.now();
        const current = settings.get();
        return [
          s.state.snapshot,
          s.state.exact,
          current,
          Math.floor(now / 60_000),
          current.chargeNowTimeEnd > now / 1000,
        ];
      },
      () =>
        renderStatus({
          doc: s.state.snapshot,
          exact: s.state.exact,
          settings: settings.get(),
          nowMs: clock.now(),
          local: toLocalTime(clock.now()),
        }),
    ),
    // Its ages are shown to 0.01 s, so one rendering serves every request of the same 10 ms.
    slaveTWCs: memoByInputs(
      () => [s.state.snapshot, Math.floor(clock.now() / 10)],
      () => renderSlaveTWCs(s.state.snapshot, clock.now()),
    ),
    uuid: () => s.nodeId,
    policy: () => policyListView(s.policies, s.latches(), clock.now() / 1000),
    activePolicyAction: () => s.activePolicyAction(),
    settings: () => settings.get(),
    consumptionOffsets: () => settings.offsetEntries(),
    wiringMaxAmpsAllTWCs: s.wiringMaxAmpsAllTWCs,
    ...(s.minAmpsPerTWC !== undefined ? { minAmpsPerTWC: s.minAmpsPerTWC } : {}),
    config: () => s.rawConfig,
    history: () => legacyHistory(s.history, clock.now()),
  };
}
