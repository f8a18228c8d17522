/**
 * A module whose creation failed (its file did not load, its constructor threw): it stands in its
 * place, and each start tries the creation again, so the host shows the failure (MODULE_FAILED) and
 * retries it with back-off instead of the product not starting. A creation still running is awaited,
 * never started twice.
 */
import type { Module } from "./module.ts";

/** A module created by `create` on its first successful start. */
export function deferredModule(name: string, create: () => Promise<Module>): Module {
  let creating: Promise<Module> | null = null;
  let inner: Module | null = null;
  return {
    name,
    async start() {
      creating ??= create().catch((err: unknown) => {
        creating = null;
        throw err;
      });
      inner = await creating;
      await inner.start();
    },
    async stop() {
      await inner?.stop();
    },
  };
}
