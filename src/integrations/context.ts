/**
 * The context a module is created with (module.ts): its logger bound to its name, the clock and the
 * state stream guarded so that what its callbacks throw becomes its failure (guard.ts), the commands
 * facade, and `fail()` into the host.
 */
import type { Commands } from "../engine/commands.ts";
import type { Clock } from "../shared/clock.ts";
import { guardedClock, guardedState } from "./guard.ts";
import type { ModuleContext, ModuleLogger, StateReader } from "./module.ts";

/** A pino-like logger that makes child loggers. */
export interface ParentLogger {
  child(bindings: Record<string, unknown>): ModuleLogger;
}

/** What every module's context is made of. */
export interface ContextDeps {
  clock: Clock;
  logger: ParentLogger;
  state: StateReader;
  commands: Commands;
  /** Reports the failure of the module called `name` (ModuleHost.fail). */
  fail(name: string, err: unknown): void;
}

/** The context of the module called `name`. */
export function moduleContext(name: string, deps: ContextDeps): ModuleContext {
  const fail = (err: unknown): void => deps.fail(name, err);
  return {
    clock: guardedClock(deps.clock, fail),
    logger: deps.logger.child({ module: name }),
    state: guardedState(deps.state, fail),
    commands: deps.commands,
    fail,
  };
}
