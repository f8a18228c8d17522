/**
 * Child process of settings-kill.test.ts: saves settings in a tight loop with growing content until it is
 * killed. Prints "start <counter> <recovered>" once and "saved <counter>" after every completed save.
 */
import { pathToFileURL } from "node:url";
import { SettingsStore } from "../../src/config/settings-store.ts";
import { systemClock } from "../../src/shared/clock.ts";

/** Deterministic payload of version `i` (grows with i, cycling every 300 versions). */
export function payloadFor(i: number): string {
  return `${i}:${"x".repeat((i % 300) * 137)}`;
}

async function main(dir: string): Promise<void> {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const store = await SettingsStore.open({
    dir,
    clock: systemClock,
    logger: quiet,
    wiringMaxAmpsAllTWCs: 32,
  });
  const prev = store.get().counter;
  let i = typeof prev === "number" ? prev + 1 : 0;
  process.stdout.write(`start ${i} ${String(store.recovered)}\n`);
  for (;;) {
    store.update({ counter: i, payload: payloadFor(i) });
    await store.saveNow();
    process.stdout.write(`saved ${i}\n`);
    i++;
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error("usage: settings-kill-child.ts <dir>");
  await main(dir);
}
