/**
 * The `twcmanager` command (config.md §1): run, --demo, init, check-config, hash-password, sim.
 * Exit codes: 0 normal shutdown, 1 configuration error, 2 start-up resource error.
 * Each command loads its own files (issue 9 §7): running the product never loads the simulator's
 * server, and `sim` or `hash-password` never load the product.
 */
import { loadConfig, loadConfigText, resolveConfigPath, type LoadedConfig } from "../config/load.ts";
import { isTwcError } from "../shared/errors.ts";
import { parseArgs, USAGE } from "./args.ts";
import { implausibleValues } from "./config-plausibility.ts";
import { applyHttpOverride, type HttpOverride } from "./http-override.ts";
import { createLogger, reopenLogFile } from "./logger.ts";
import { VERSION } from "./version.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function loadFor(configPath: string | undefined): Promise<LoadedConfig> {
  const path = await resolveConfigPath(configPath, process.env);
  return loadConfig(path);
}

async function run(configPath: string | undefined, demo: boolean, httpOverride: HttpOverride = {}): Promise<number> {
  // logrotate sends SIGHUP every night: from the very start it never ends the process (config.md §3.8).
  let onHangup = (): void => undefined;
  process.on("SIGHUP", () => onHangup());
  let loaded: Omit<LoadedConfig, "path"> & { path: string };
  try {
    if (demo) {
      const { demoConfig } = await import("./demo.ts");
      loaded = { ...loadConfigText(JSON.stringify(demoConfig()), "demo-config.json"), path: "(demo)" };
    } else loaded = await loadFor(configPath);
  } catch (err) {
    console.error(isTwcError(err) ? err.message : String(err));
    return 1;
  }
  const cfg = loaded.config;
  const overrideError = applyHttpOverride(cfg, httpOverride);
  if (overrideError !== null) {
    console.error(`twcmanager: ${overrideError}`);
    return 1;
  }
  // issue 13 §2: the readable line unless the config asks for JSON.
  const file = cfg.logging.file;
  const logger = createLogger({
    level: cfg.logLevel,
    console: { ...cfg.logging.console, format: cfg.logging.console.format ?? "text" },
    file: file ? { ...file, format: file.format ?? "text" } : null,
  });
  onHangup = () => {
    const reopened = reopenLogFile(logger);
    logger.info({ module: "logging", signal: "SIGHUP" }, reopened ? "received SIGHUP: log file reopened" : "received SIGHUP: no log file to reopen; carrying on");
  };
  for (const w of loaded.warnings) logger.warn({ module: "config", code: "CONFIG_WARNING" }, w);
  for (const w of implausibleValues(cfg)) logger.warn({ module: "config", code: "CONFIG_IMPLAUSIBLE" }, w);
  process.on("uncaughtException", (err) => logger.error({ err, code: "UNCAUGHT_EXCEPTION" }, "uncaught exception (carrying on)"));
  process.on("unhandledRejection", (err) => logger.error({ err, code: "UNHANDLED_REJECTION" }, "unhandled rejection (carrying on)"));
  let product;
  // MQTT control/stop asks for the same graceful shutdown as SIGTERM (set once the process waits for signals).
  let shutdownRequested: ((why: string) => void) | null = null;
  try {
    const { startProduct } = await import("./run.ts");
    product = await startProduct({ config: cfg, raw: loaded.raw, logger, demoEnergy: demo, requestShutdown: () => shutdownRequested?.("MQTT control/stop") });
  } catch (err) {
    const code = isTwcError(err) ? err.code : "";
    logger.fatal({ err, code }, isTwcError(err) ? err.message : "start-up failed");
    console.error(isTwcError(err) ? err.message : String(err));
    return code === "CONFIG_INVALID" || code === "CONFIG_PARSE" ? 1 : 2;
  }
  if (demo && product.httpUrl !== null) {
    console.log(`\nTWCManager demo running: open ${product.httpUrl}  (Ctrl+C to stop)\n`);
  }
  // Timers of the system clock are unref'd; this keeps the process alive while the bus is down.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string): void => {
      clearInterval(keepAlive);
      logger.info({ signal }, `received ${signal}`);
      product.stop().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, "shutdown failed");
          resolve(0);
        },
      );
    };
    let shuttingDown = false;
    shutdownRequested = (why) => {
      if (shuttingDown) return;
      shuttingDown = true;
      shutdown(why);
    };
    process.once("SIGINT", () => shutdownRequested?.("SIGINT"));
    process.once("SIGTERM", () => shutdownRequested?.("SIGTERM"));
  });
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseArgs(argv);
  switch (cmd.kind) {
    case "help":
      console.log(USAGE);
      return 0;
    case "version":
      console.log(VERSION);
      return 0;
    case "error":
      console.error(`twcmanager: ${cmd.message}\n${USAGE}`);
      return 1;
    case "sim": {
      const { runSim } = await import("./sim.ts");
      return runSim(cmd.argv);
    }
    case "hash-password": {
      const pw = (await readStdin()).replace(/\r?\n$/, "");
      if (pw === "") {
        console.error("twcmanager hash-password: no password on standard input");
        return 1;
      }
      const { hashPassword } = await import("../http/security/password.ts");
      console.log(await hashPassword(pw));
      return 0;
    }
    case "check-config": {
      const { checkConfig } = await import("./check-config.ts");
      return checkConfig(cmd.configPath);
    }
    case "init": {
      const { runInit } = await import("./init.ts");
      return runInit(cmd.argv);
    }
    case "run":
      return run(cmd.configPath, cmd.demo, { ...(cmd.listen !== undefined ? { listen: cmd.listen } : {}), ...(cmd.port !== undefined ? { port: cmd.port } : {}) });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
