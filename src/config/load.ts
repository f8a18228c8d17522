/**
 * Loading config.json from disk (config.md §1, §3): path resolution, read, parse, validate. I/O shell
 * around parse.ts and validate.ts.
 */
import { access, readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { TwcError } from "../shared/errors.ts";
import type { AppConfig } from "./app-config.ts";
import { parseConfigText } from "./parse.ts";
import { validate } from "./validate.ts";

/** Default locations tried when neither --config nor TWCMANAGER_CONFIG is given. */
export const DEFAULT_CONFIG_PATHS: readonly string[] = ["/etc/twcmanager/config.json", "./config.json"];

/** A loaded, validated configuration. */
export interface LoadedConfig {
  /** Absolute path of the file read. */
  path: string;
  /** The parsed file, original key order (for getConfig). */
  raw: Record<string, unknown>;
  config: AppConfig;
  /** Duplicate-key and validation warnings, one line each. */
  warnings: string[];
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

function notFound(tried: readonly string[]): TwcError {
  return new TwcError({
    code: "CONFIG_FILE_NOT_FOUND",
    message: `no configuration file found; tried: ${tried.join(", ")}. Use --config <path>, or run with --demo for the built-in demo`,
    context: { tried: [...tried] },
  });
}

/**
 * Resolves the config file: `--config`, else TWCMANAGER_CONFIG, else the default locations. An explicit
 * path (flag or variable) is not followed by a fallback. Throws CONFIG_FILE_NOT_FOUND listing the paths tried.
 */
export async function resolveConfigPath(
  cliPath: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  defaults: readonly string[] = DEFAULT_CONFIG_PATHS,
): Promise<string> {
  const fromEnv = env.TWCMANAGER_CONFIG;
  const explicit =
    cliPath !== undefined && cliPath !== ""
      ? cliPath
      : fromEnv !== undefined && fromEnv !== ""
        ? fromEnv
        : undefined;
  const candidates = explicit !== undefined ? [explicit] : defaults;
  for (const c of candidates) {
    const abs = resolve(c);
    if (await exists(abs)) return abs;
  }
  throw notFound(candidates);
}

/** Parses and validates config text; throws CONFIG_PARSE / CONFIG_INVALID (all errors, one per line). */
export function loadConfigText(
  text: string,
  fileName = "config.json",
  cwd = process.cwd(),
): Omit<LoadedConfig, "path"> {
  const parsed = parseConfigText(text, fileName);
  const { config, issues } = validate(parsed.value);
  const errors = issues.filter((i) => i.severity === "error").map((i) => i.message);
  const warnings = [
    ...parsed.warnings,
    ...issues.filter((i) => i.severity === "warning").map((i) => i.message),
  ];
  if (errors.length > 0 || !config) {
    throw new TwcError({ code: "CONFIG_INVALID", message: errors.join("\n"), context: { errors, warnings } });
  }
  config.core.settingsPath = resolve(cwd, config.core.settingsPath);
  config.core.section.settingsPath = config.core.settingsPath;
  return { raw: parsed.value, config, warnings };
}

/**
 * Reads, parses and validates a config file. Relative `settingsPath` is resolved against the current
 * working directory (as upstream). Throws CONFIG_FILE_NOT_FOUND, CONFIG_PARSE or CONFIG_INVALID.
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw notFound([path]);
    throw new TwcError({
      code: "CONFIG_INVALID",
      message: `cannot read ${abs}: ${code ?? String(e)}`,
      cause: e,
      context: { errno: code },
    });
  }
  return { path: abs, ...loadConfigText(text, basename(abs)) };
}
