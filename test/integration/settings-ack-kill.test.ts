/**
 * A 2xx means on disk (docs/decisions.md "Save before answering"): the real CLI serves HTTP, a client
 * sends settings changes (one by one and in concurrent bursts) and records every 2xx; the process is
 * killed with SIGKILL right after the last 2xx of a round. Every acknowledged change must be in
 * settings.json, and a restart on the same directory (taking over the dead instance's lock) loads them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dummyConfig, freePort, getJson, postJson, spawnCli, tempDir, waitFor, writeConfig, type CliProcess } from "./helpers.ts";

type Kind = "addConsumptionOffset" | "setScheduledChargingSettings" | "chargeNow" | "setSetting";
const KINDS: readonly Kind[] = ["addConsumptionOffset", "setScheduledChargingSettings", "chargeNow", "setSetting"];

/** What one acknowledged request must have left in settings.json. */
interface Expect {
  kind: Kind;
  check(s: Record<string, unknown>): boolean;
  label: string;
}

function request(kind: Kind, round: number, step: number): { body: Record<string, unknown>; expect: Expect } {
  const tag = `r${round}s${step}`;
  switch (kind) {
    case "addConsumptionOffset":
      return {
        body: { offsetName: tag, offsetValue: round * 100 + step, offsetUnit: "W" },
        expect: { kind, label: `offset ${tag}`, check: (s) => (s.consumptionOffset as Record<string, { value: number }> | undefined)?.[tag]?.value === round * 100 + step },
      };
    case "setScheduledChargingSettings": {
      const start = round * 60 + step;
      return {
        body: { enabled: true, startingMinute: start, endingMinute: start + 30, amps: 10, monday: true },
        expect: { kind, label: `schedule start ${start}`, check: (s) => s.scheduledAmpsStartHour === start / 60 },
      };
    }
    case "chargeNow": {
      const rate = 6 + ((round * 7 + step) % 20);
      const duration = 3600 + round * 100 + step;
      return {
        body: { chargeNowRate: rate, chargeNowDuration: duration },
        expect: { kind, label: `chargeNow ${rate} A`, check: (s) => s.chargeNowAmps === rate && Number(s.chargeNowTimeEnd) > 0 },
      };
    }
    case "setSetting":
      return {
        body: { setting: `ack_${tag}`, value: step },
        expect: { kind, label: `setting ack_${tag}`, check: (s) => s[`ack_${tag}`] === step },
      };
  }
}

/** settings.json as parsed ({} when there is none yet). */
function readSettings(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

async function start(settingsDir: string, configDir: string): Promise<{ cli: CliProcess; port: number }> {
  const port = await freePort();
  const cli = spawnCli(["--config", writeConfig(configDir, dummyConfig(settingsDir, port))]);
  await waitFor(() => getJson(port, "/api/getStatus"), 20_000, `instance on port ${port}: ${cli.output()}`);
  return { cli, port };
}

test("every acknowledged settings change survives a SIGKILL right after its 2xx", { timeout: 120_000 }, async () => {
  const t = tempDir("twcm-ack-");
  const settingsDir = join(t.dir, "settings");
  const acknowledged: Expect[] = [];
  try {
    for (let round = 0; round < KINDS.length; round++) {
      const { cli, port } = await start(settingsDir, t.dir);
      let killed = false;
      try {
        // A concurrent burst (coalesced writes), then one request per kind, one at a time; the kind of
        // the last request, right after whose 2xx the process dies, changes every round.
        const burst = Array.from({ length: 8 }, (_, i) => request(i % 2 === 0 ? "addConsumptionOffset" : "setSetting", round, 100 + i));
        const results = await Promise.all(burst.map((r) => postJson(port, `/api/${r.expect.kind}`, r.body)));
        results.forEach((res, i) => {
          assert.ok(res.status >= 200 && res.status < 300, `${burst[i]!.expect.label}: ${res.status} ${JSON.stringify(res.body)}`);
          acknowledged.push(burst[i]!.expect);
        });
        const order = [...KINDS.slice(round + 1), ...KINDS.slice(0, round + 1)];
        for (let step = 0; step < order.length; step++) {
          const r = request(order[step]!, round, step);
          const res = await postJson(port, `/api/${r.expect.kind}`, r.body);
          assert.ok(res.status >= 200 && res.status < 300, `${r.expect.label}: ${res.status}`);
          if (step === order.length - 1) {
            cli.child.kill("SIGKILL");
            killed = true;
          }
          acknowledged.push(r.expect);
        }
      } finally {
        if (!killed) cli.child.kill("SIGKILL");
        await cli.exited;
      }
      const onDisk = readSettings(join(settingsDir, "settings.json"));
      // Later requests of a kind that overwrites (schedule, Charge Now) replace earlier ones: check the last of each.
      const last = new Map<string, Expect>();
      for (const e of acknowledged) last.set(e.kind === "addConsumptionOffset" || e.kind === "setSetting" ? e.label : e.kind, e);
      const lost = [...last.values()].filter((e) => !e.check(onDisk)).map((e) => e.label);
      assert.deepEqual(lost, [], `round ${round}: acknowledged changes missing from settings.json`);
    }
    const { cli, port } = await start(settingsDir, t.dir);
    try {
      const offsets = (await getJson(port, "/api/getConsumptionOffsets")) as Record<string, unknown>;
      const expected = acknowledged.filter((e) => e.kind === "addConsumptionOffset").map((e) => e.label.slice("offset ".length));
      assert.deepEqual(expected.filter((name) => !(name in offsets)), [], "offsets loaded after the restart");
      assert.match(cli.output(), /took over the stale lock/);
    } finally {
      assert.equal(await cli.kill("SIGTERM"), 0);
    }
  } finally {
    t.cleanup();
  }
});
