/**
 * The integration seam (issue 9 §5): every add-on — energy sources, the history recorder, MQTT control
 * and status, Home Assistant, logging modules, vehicle modules — is a module with `start()`/`stop()` and
 * a typed config. It reads the one state stream and changes things only through the commands facade.
 * The composition root creates the configured modules; the host (`host.ts`) starts and stops them and
 * isolates a module that throws or hangs (logged, an alert raised, retried with back-off), so no module
 * can stop the bus or the HTTP server.
 */
import type { Commands } from "../engine/commands.ts";
import type { Clock } from "../shared/clock.ts";
import type { StateStore } from "../state/store.ts";

/** The pino-like logger a module gets (already bound to `{ module: <name> }`). */
export interface ModuleLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The read side of the state stream: the current document and its patches. */
export type StateReader = Pick<StateStore, "snapshot" | "revision" | "onPatch" | "patchesSince">;

/** What the host hands every module. */
export interface ModuleContext {
  clock: Clock;
  logger: ModuleLogger;
  /** The one state stream (read only). */
  state: StateReader;
  /** The commands facade — the only way a module changes anything (the same one HTTP uses). */
  commands: Commands;
  /**
   * Reports that the running module failed (a lost connection it cannot recover by itself, a crash in a
   * callback): the host logs it, raises MODULE_FAILED and restarts the module with back-off.
   */
  fail(err: unknown): void;
}

/**
 * A running integration. `start` may be async; it must return (or reject) — a start that hangs is timed
 * out. After a failure the host calls `stop()` and later `start()` again on the same object.
 */
export interface Module {
  /** The config key it was created from (e.g. "status.MQTT", "sources.Fronius", "history"); unique. */
  readonly name: string;
  /** Opens what it needs; resolves once it runs (not once a remote end answers: retrying is its own job). */
  start(): void | Promise<void>;
  /** Releases every timer, socket and subscription; must not throw (the host catches it anyway). */
  stop(): void | Promise<void>;
}

/** Creates a module from its validated config section. */
export type ModuleFactory<C> = (config: C, ctx: ModuleContext) => Module;
