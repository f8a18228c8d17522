/** Command-line parsing of `twcmanager` (config.md §1). Pure. */

/** What the command line asks for. */
export type CliCommand =
  | { kind: "run"; configPath: string | undefined; demo: boolean; listen?: string; port?: number }
  | { kind: "check-config"; configPath: string | undefined }
  | { kind: "init"; argv: string[] }
  | { kind: "hash-password" }
  | { kind: "sim"; argv: string[] }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "error"; message: string };

/** Usage text. */
export const USAGE = `Usage:
  twcmanager [--config PATH] [--listen ADDR] [--port N]
                                        run the controller (--listen/--port override
                                        control.HTTP.listenAddress/listenPort)
  twcmanager --demo [--listen ADDR] [--port N]
                                        run the demo (simulated chargers and sun,
                                        web interface on http://127.0.0.1:8080/)
  twcmanager init [PATH] [--port DEVICE] [--wiring-max-amps N] [--force] ...
                                        write a commented config.json after a few questions
                                        (twcmanager init --help lists every flag)
  twcmanager check-config [--config] PATH
                                        validate a config.json, say what will run, exit 0 (ok) or 1
  twcmanager hash-password              read a password on stdin, print a passwordHash
  twcmanager sim --listen HOST:PORT [--slaves N] [--ratings 80,32] [--versions 2,1] [--cars follow,none]
                                        run the charger simulator as a raw-TCP server
  twcmanager --help | --version`;

/** Parses argv (without node and script). */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === "sim") return { kind: "sim", argv: rest };
  if (first === "hash-password") return { kind: "hash-password" };
  if (first === "init") return { kind: "init", argv: rest };
  if (first === "--help" || first === "-h" || first === "help") return { kind: "help" };
  if (first === "--version" || first === "-v") return { kind: "version" };
  const check = first === "check-config";
  const args = check ? rest : argv;
  let configPath: string | undefined;
  let demo = false;
  let listen: string | undefined;
  let port: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    if (!check && (flag === "--listen" || flag === "--port")) {
      const v = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v.trim() === "") return { kind: "error", message: `${flag} needs a value` };
      if (flag === "--listen") {
        if (/[\s/]/.test(v.trim())) return { kind: "error", message: `--listen: "${v}" is not an address (e.g. 127.0.0.1, 0.0.0.0 or ::)` };
        listen = v.trim().replace(/^\[(.*)\]$/, "$1");
      } else {
        const n = /^\d{1,5}$/.test(v.trim()) ? Number(v.trim()) : NaN;
        if (!(n >= 0 && n <= 65535)) return { kind: "error", message: `--port: "${v}" is not a port number (0-65535; 0 = any free port)` };
        port = n;
      }
    } else if (a === "--config" || a === "-c") {
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
  if (check) return { kind: "check-config", configPath };
  return { kind: "run", configPath, demo, ...(listen !== undefined ? { listen } : {}), ...(port !== undefined ? { port } : {}) };
}
