/**
 * `twcmanager check-config` (config.md §1, issue 12 §2, issue 13 §5): loads and validates the config,
 * prints its warnings and the implausible values, then what will run — the bus link, the web
 * interface, the energy sources and every configured module — and "<path>: OK". Exit 0, or 1 on an error.
 */
import { loadConfig, resolveConfigPath } from "../config/load.ts";
import { runningSourceNames } from "../config/validate-sources.ts";
import { isTwcError } from "../shared/errors.ts";
import { checkConfigSummary } from "./check-config-summary.ts";
import { implausibleValues } from "./config-plausibility.ts";

/** Where check-config writes (tests pass their own). */
export interface CheckConfigIo {
  out(line: string): void;
  err(line: string): void;
}

const CONSOLE: CheckConfigIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Runs check-config; resolves to the exit code. */
export async function checkConfig(configPath: string | undefined, io: CheckConfigIo = CONSOLE, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  try {
    const loaded = await loadConfig(await resolveConfigPath(configPath, env));
    for (const w of loaded.warnings) io.out(`warning: ${w}`);
    for (const w of implausibleValues(loaded.config)) io.out(`warning: ${w}`);
    const summary = checkConfigSummary(loaded.raw, loaded.config, loaded.warnings);
    io.out(summary.bus);
    io.out(summary.web);
    const sources = runningSourceNames(loaded.config.sources);
    io.out(`energy sources: ${sources.length > 0 ? sources.join(", ") : "none"}`);
    io.out(summary.modules);
    io.out(`${loaded.path}: OK`);
    return 0;
  } catch (err) {
    io.err(isTwcError(err) ? err.message : String(err));
    return 1;
  }
}
