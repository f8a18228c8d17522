/**
 * Test helper: the one place a test decides it must be skipped because something is missing on this
 * machine (issue 13 §6). Each skip is appended as one JSON line to the file named by TWC_SKIP_REPORT,
 * which scripts/run-tests.mjs sets and summarises at the end of `npm test` (the test files skipped and
 * the one `apt-get install` command that brings what they need). Without the variable nothing is written.
 *
 *   describe("…", { skip: requireBinary("socat", "socat") }, () => { … });
 *   describe("…", { skip: requireBinaries(["socat", "socat"], ["ser2net", "ser2net"]) }, () => { … });
 */
import { accessSync, appendFileSync, constants } from "node:fs";
import { delimiter, isAbsolute, join, relative } from "node:path";

/** One line of the skip report. */
export interface SkipRecord {
  /** The test file (relative to the working directory). */
  file: string;
  /** Why it is skipped. */
  reason: string;
  /** The missing program, when a program is missing. */
  binary?: string;
  /** The Debian package that installs it. */
  package?: string;
}

/** Directories searched besides PATH (daemons such as mosquitto live in sbin, often not on a user's PATH). */
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

const recorded = new Set<string>();

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function currentTestFile(): string {
  const entry = process.argv[1];
  if (entry === undefined || entry === "") return "(unknown test file)";
  return isAbsolute(entry) ? relative(process.cwd(), entry) : entry;
}

/** Appends a skip to the report (once per reason and file); returns the reason for node:test's `skip`. */
export function recordSkip(reason: string, need?: { binary: string; package: string }): string {
  const rec: SkipRecord = { file: currentTestFile(), reason, ...need };
  const key = `${rec.file}\0${reason}`;
  const target = process.env.TWC_SKIP_REPORT;
  if (target !== undefined && target !== "" && !recorded.has(key)) {
    recorded.add(key);
    try {
      appendFileSync(target, `${JSON.stringify(rec)}\n`);
    } catch {
      // The report is a courtesy: a test never fails because it cannot be written.
    }
  }
  return reason;
}

/** The path of an executable: `name` itself when it contains a slash, else looked up in PATH and the sbin/bin folders; null when absent. */
export function locateBinary(name: string): string | null {
  if (name.includes("/")) return executable(name) ? name : null;
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter((d) => d !== ""), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, name);
    if (executable(p)) return p;
  }
  return null;
}

/** Like locateBinary, but a missing program is recorded as a skip of the calling test file (Debian package `pkg`). */
export function findBinary(name: string, pkg: string): string | null {
  const found = locateBinary(name);
  if (found === null) recordSkip(missingReason(name, pkg), { binary: name, package: pkg });
  return found;
}

/** The `skip` option of node:test: false when `name` is installed, else the reason (recorded for the summary). */
export function requireBinary(name: string, pkg: string): string | false {
  return findBinary(name, pkg) === null ? missingReason(name, pkg) : false;
}

/** requireBinary for several programs: every missing one is recorded; the reasons joined, or false when all are there. */
export function requireBinaries(...needs: readonly (readonly [name: string, pkg: string])[]): string | false {
  const reasons = needs.map(([name, pkg]) => requireBinary(name, pkg)).filter((r): r is string => r !== false);
  return reasons.length > 0 ? reasons.join("; ") : false;
}

/** The text of a skip for a missing program. */
export function missingReason(name: string, pkg: string): string {
  return `${name} is not installed (Debian package '${pkg}': sudo apt-get install -y ${pkg})`;
}
