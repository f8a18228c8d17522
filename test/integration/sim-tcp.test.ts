/**
 * The controller and the standalone simulator as two real processes over a raw-TCP "bridge"
 * (`interface.RS485.port: socket://…`): link, ratings, versions, and recovery after the simulator
 * is killed and restarted, without restarting the controller.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  dummyConfig,
  freePort,
  getJson,
  spawnCli,
  tempDir,
  waitFor,
  writeConfig,
  type CliProcess,
} from "./helpers.ts";

type Slaves = Record<
  string,
  { maxAmps: number; version: number; lastHeartbeat: number; lastAmpsOffered: number }
>;

function startSim(port: number): CliProcess {
  return spawnCli([
    "sim",
    "--listen",
    `127.0.0.1:${port}`,
    "--slaves",
    "3",
    "--ratings",
    "80,32,48",
    "--versions",
    "2,1,2",
  ]);
}

async function allLinked(httpPort: number): Promise<Slaves | null> {
  const s = (await getJson(httpPort, "/api/getSlaveTWCs")) as Slaves;
  const ids = Object.keys(s).filter((k) => k !== "total");
  if (ids.length !== 3) return null;
  return ids.every((id) => s[id]!.lastHeartbeat < 5 && s[id]!.lastAmpsOffered >= 0) ? s : null;
}

test(
  "three simulated TWCs over socket:// link, and come back after the simulator restarts",
  { timeout: 150_000 },
  async () => {
    const t = tempDir();
    const simPort = await freePort();
    const httpPort = await freePort();
    let sim = startSim(simPort);
    await waitFor(() => sim.output().includes("simulator listening"), 20_000, "simulator start");
    const cfg = dummyConfig(join(t.dir, "settings"), httpPort, {
      interface: { RS485: { port: `socket://127.0.0.1:${simPort}` } },
    });
    const ctl = spawnCli(["--config", writeConfig(t.dir, cfg)]);
    try {
      const s = await waitFor(() => allLinked(httpPort), 30_000, "three linked slaves");
      const ratings = Object.entries(s)
        .filter(([k]) => k !== "total")
        .map(([, v]) => [v.maxAmps, v.version]);
      assert.deepEqual(ratings, [
        [80, 2],
        [32, 1],
        [48, 2],
      ]);

      await sim.kill("SIGKILL");
      // While the bridge is gone the controller keeps running and answering.
      await new Promise((r) => setTimeout(r, 2000));
      assert.ok(await getJson(httpPort, "/api/getStatus"));
      assert.equal(ctl.child.exitCode, null);

      sim = startSim(simPort);
      await waitFor(() => sim.output().includes("simulator listening"), 20_000, "simulator restart");
      const back = await waitFor(() => allLinked(httpPort), 40_000, "slaves back after the restart");
      assert.equal(Object.keys(back).length, 4);
      // The log line travels through a pipe: wait for it rather than race it.
      await waitFor(
        () => /bus connection closed[\s\S]*bus reconnected/.test(ctl.output()),
        10_000,
        "the disconnect and reconnect in the log",
      );
    } finally {
      await sim.kill("SIGTERM");
      await ctl.kill("SIGTERM");
      t.cleanup();
    }
  },
);
