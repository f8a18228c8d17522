/** Command-line parsing of `twcmanager` (config.md §1). Pure. */

/** What the command line asks for. */
export type CliCommand =
  | { kind: "run"; configPath: string | undefined; demo: boolean }
  | { kind: "check-config"; configPath: string | undefined }
  | { kind: "hash-password" }
  | { kind: "sim"; argv: string[] }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "error"; message: string };

/** Usage text. */
export const USAGE = `Usage:
  twcmanager [--config PATH]            run the controller
  twcmanager --demo                     run the demo (simulated chargers and sun, HTTP on 8080)
  twcmanager check-config [--config] PATH
                                        validate a config.json, exit 0 (ok) or 1
  twcmanager hash-password              read a password on stdin, print a passwordHash
  twcmanager sim --listen HOST:PORT [--slaves N] [--ratings 80,32] [--versions 2,1] [--cars follow,none]
                                        run the charger simulator as a raw-TCP server
  twcmanager --help | --version`;

/** Parses argv (without node and script). */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === "sim") return { kind: "sim", argv: rest };
  if (first === "hash-password") return { kind: "hash-password" };
  if (first === "--help" || first === "-h" || first === "help") return { kind: "help" };
  if (first === "--version" || first === "-v") return { kind: "version" };
  const check = first === "check-config";
  const args = check ? rest : argv;
  let configPath: string | undefined;
  let demo = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--config" || a === "-c") {
      const v = args[i + 1];
      if (v === undefined) return { kind: "error", message: "--config needs a path" };
      configPath = v;
      i++;
    } else if (a.startsWith("--config=")) {
      configPath = a.slice("--config=".length);
    } else if (a === "--demo" && !check) {
      demo = true;
    } else if (check && !a.startsWith("-") && configPath === undefined) {
      configPath = a;
    } else {
      return { kind: "error", message: `unknown argument '${a}'` };
    }
  }
  return check ? { kind: "check-config", configPath } : { kind: "run", configPath, demo };
}
