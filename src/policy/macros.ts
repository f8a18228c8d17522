/** Value macros of policies (controller.md §16.4). */
import { isNumericString, numericValue } from "./numbers.ts";
import { checkScheduledCharging } from "./schedule.ts";
import type { LocalTime, ModuleResolver, PolicySettings } from "./types.ts";

/** What `resolve()` may read. Callbacks are only invoked for the macros that need them. */
export interface MacroContext {
  /** Epoch seconds (with fraction). */
  now: number;
  local: LocalTime;
  settings: PolicySettings;
  /** The `config` section of config.json. */
  config: Readonly<Record<string, unknown>>;
  /** Green computation (T = 0); absent → 0. */
  greenAmps?: () => number;
  /** `checkScheduledCharging()`; absent → the configured window from the settings. */
  scheduledCharging?: () => 0 | 1;
  moduleAttr?: ModuleResolver;
}

const TM_FIELDS: Readonly<Record<string, keyof LocalTime>> = {
  tm_year: "year",
  tm_mon: "mon",
  tm_mday: "mday",
  tm_hour: "hour",
  tm_min: "min",
  tm_sec: "sec",
  tm_wday: "wday",
  tm_yday: "yday",
  tm_isdst: "isdst",
};

function own(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** `settings.K`: the stored value, 0 when absent; numeric strings become numbers. */
export function settingValue(settings: PolicySettings, key: string): unknown {
  const v = own(settings, key);
  if (v === undefined) return 0;
  if (typeof v === "string" && isNumericString(v)) return Number(v.trim());
  return v;
}

/** `nonScheduledAmps()`: 0 for action 2 ("do not charge"), else `settings.nonScheduledAmpsMax`. */
export function nonScheduledAmps(settings: PolicySettings): unknown {
  if (numericValue(settingValue(settings, "nonScheduledAction")) === 2) return 0;
  return settingValue(settings, "nonScheduledAmpsMax");
}

/** Resolves one policy operand: macros by name, every non-string value as the literal itself. */
export function resolve(x: unknown, ctx: MacroContext): unknown {
  if (typeof x !== "string") return x;
  if (x === "now") return ctx.now;
  const tm = TM_FIELDS[x];
  if (tm !== undefined && Object.prototype.hasOwnProperty.call(TM_FIELDS, x)) return ctx.local[tm];
  switch (x) {
    case "getMaxAmpsForTargetGridUsage()":
    case "getMaxAmpsToDivideGreenEnergy()":
      return ctx.greenAmps ? ctx.greenAmps() : 0;
    case "checkScheduledCharging()":
      return ctx.scheduledCharging
        ? ctx.scheduledCharging()
        : checkScheduledCharging(ctx.settings, ctx.local);
    case "nonScheduledAmps()":
      return nonScheduledAmps(ctx.settings);
    default:
      break;
  }
  if (x.startsWith("settings.")) return settingValue(ctx.settings, x.slice("settings.".length));
  if (x.startsWith("config.")) {
    const v = own(ctx.config, x.slice("config.".length));
    return v === undefined ? 0 : v;
  }
  if (x.startsWith("modules.") && ctx.moduleAttr) {
    // Upstream splits on ".": the second piece is the module, the third the attribute, the rest is ignored.
    const [, module = "", attr = ""] = x.split(".");
    if (module !== "" && attr !== "") {
      const found = ctx.moduleAttr(module, attr);
      if (found !== undefined) return found.value;
    }
  }
  return x;
}
