/** Test helper: a ModuleContext on the engine harness (its fake clock, state stream and Commands). */
import type { Harness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import type { ModuleContext } from "../module.ts";

/** A context whose `fail` calls are recorded. */
export interface TestContext extends ModuleContext {
  logger: CaptureLogger;
  failures: unknown[];
}

/** Builds the context. */
export function harnessContext(h: Harness): TestContext {
  const failures: unknown[] = [];
  return {
    clock: h.clock,
    logger: captureLogger(),
    state: h.engine.state,
    commands: h.commands,
    fail: (err) => failures.push(err),
    failures,
  };
}
