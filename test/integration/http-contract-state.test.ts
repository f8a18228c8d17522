/**
 * HTTP contract tests that need their own product instance: settings persisted across a restart,
 * consumption offsets moving the green budget (controller.md §17.5 E/F/G) with a URL energy source,
 * passive monitor mode (409) and a bus without slaves.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tempDir, waitFor } from "./helpers.ts";
import { startHarness, type Harness } from "./http-harness.ts";

async function post(h: Harness, name: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(h.url(`/api/${name}`), {
    method: "POST",
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

async function status(h: Harness): Promise<Record<string, unknown>> {
  return (await (await fetch(h.url("/api/getStatus"))).json()) as Record<string, unknown>;
}

test(
  "settings changed over HTTP survive a restart on the same settingsPath",
  { timeout: 60_000 },
  async () => {
    const t = tempDir("twcm-persist-");
    try {
      const first = await startHarness({ settingsDir: t.dir });
      let uuid: string;
      try {
        uuid = await (await fetch(first.url("/api/getUUID"))).text();
        assert.equal(
          (await post(first, "setSetting", { setting: "nonScheduledAmpsMax", value: "12" })).status,
          204,
        );
        assert.equal((await post(first, "setSetting", { setting: "myCustom", value: { a: 1 } })).status, 204);
        assert.equal(
          (
            await post(first, "addConsumptionOffset", {
              offsetName: "heat pump",
              offsetValue: 800,
              offsetUnit: "W",
            })
          ).status,
          200,
        );
        assert.equal(
          (
            await post(first, "setScheduledChargingSettings", {
              enabled: true,
              startingMinute: 60,
              endingMinute: 300,
              amps: 20,
              friday: true,
            })
          ).status,
          202,
        );
        assert.equal((await post(first, "setLatLon", { lat: 48.1, lon: 11.6 })).status, 204);
      } finally {
        await first.stop();
      }
      const second = await startHarness({ settingsDir: t.dir });
      try {
        const s = second.product.settings.get();
        assert.equal(s.nonScheduledAmpsMax, 12);
        assert.deepEqual(s.myCustom, { a: 1 });
        assert.equal(s.homeLat, 48.1);
        assert.equal(
          await (await fetch(second.url("/api/getConsumptionOffsets"))).text(),
          '{"heat pump":{"value":800,"unit":"W"}}',
        );
        const sc = (await status(second)).ScheduledCharging as Record<string, unknown>;
        assert.equal(sc.enabled, true);
        assert.equal(sc.startingMinute, 60);
        assert.equal(sc.friday, true);
        assert.equal(await (await fetch(second.url("/api/getUUID"))).text(), uuid);
      } finally {
        await second.stop();
      }
    } finally {
      t.cleanup();
    }
  },
);

test(
  "consumption offsets move the green budget by the documented amount (controller.md §17.5 A, E, F, G)",
  { timeout: 90_000 },
  async () => {
    // A URL energy source: generation 5000 W, consumption 1000 W (house-only meter).
    const meter: Server = createServer((req, res) => {
      res.end(req.url?.endsWith("/gen") ? "5000 W" : "1000");
    });
    await new Promise<void>((r) => meter.listen(0, "127.0.0.1", r));
    const meterPort = (meter.address() as AddressInfo).port;
    const h = await startHarness({
      core: { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 },
      sections: {
        sources: {
          URL: {
            enabled: true,
            url: `http://127.0.0.1:${meterPort}/m`,
            generationItem: "gen",
            consumptionItem: "cons",
            pollIntervalS: 2,
          },
        },
      },
    });
    try {
      await waitFor(
        async () => (await status(h)).generationWatts === "5000.00",
        30_000,
        "the first energy reading",
      );
      // Track green energy at all hours (the last default policy).
      assert.equal((await post(h, "setSetting", { setting: "nonScheduledAction", value: 3 })).status, 204);
      const s = await status(h);
      assert.equal(s.currentPolicy, "Track Green Energy");
      assert.equal(s.isGreenPolicy, "Yes");
      assert.equal(s.consumptionWatts, "1000.00");
      assert.equal(s.maxAmpsToDivideAmongSlaves, "16.67", "case A");

      assert.equal(
        (await post(h, "addConsumptionOffset", { offsetName: "car port", offsetValue: 2, offsetUnit: "A" }))
          .status,
        200,
      );
      assert.equal(
        (await post(h, "addConsumptionOffset", { offsetName: "pool", offsetValue: "500", offsetUnit: "W" }))
          .status,
        200,
      );
      const e = await status(h);
      assert.equal(e.consumptionWatts, "1980.00");
      assert.equal(e.maxAmpsToDivideAmongSlaves, "12.58", "case E");

      assert.equal((await post(h, "deleteConsumptionOffset", { offsetName: "car port" })).status, 200);
      assert.equal(
        (await post(h, "addConsumptionOffset", { offsetName: "pool", offsetValue: -1000, offsetUnit: "W" }))
          .status,
        200,
      );
      const f = await status(h);
      assert.equal(f.generationWatts, "6000.00");
      assert.equal(f.maxAmpsToDivideAmongSlaves, "20.83", "case F");

      assert.equal(
        (await post(h, "addConsumptionOffset", { offsetName: "pool", offsetValue: 0, offsetUnit: "W" }))
          .status,
        200,
      );
      assert.equal((await post(h, "setConsumptionOffset", { offset: 1.05 })).status, 204);
      assert.equal((await status(h)).maxAmpsToDivideAmongSlaves, "15.62", "case G");
    } finally {
      await h.stop();
      await new Promise((r) => meter.close(r));
    }
  },
);

test("passive monitor mode: bus commands → 409", { timeout: 60_000 }, async () => {
  const h = await startHarness({ core: { fakeMaster: 2 } });
  try {
    for (const name of ["sendStartCommand", "sendStopCommand"]) {
      const a = await post(h, name);
      assert.equal(a.status, 409, name);
      assert.equal(a.text, '{"error":"Commands cannot be sent in passive monitor mode"}');
    }
    assert.equal((await post(h, "setSetting", { setting: "enableDebugCommands", value: 1 })).status, 204);
    const d = await post(h, "sendDebugCommand", { commandName: "GetFirmwareVersion" });
    assert.equal(d.status, 409);
    assert.equal(d.text, '{"error":"Commands cannot be sent in passive monitor mode"}');
  } finally {
    await h.stop();
  }
});

test(
  "no slave on the bus: start/stop → 204, GetFirmwareVersion → 409 No TWC is linked, getSlaveTWCs has only total",
  { timeout: 60_000 },
  async () => {
    const h = await startHarness({ iface: { Dummy: { enabled: true, twcID: "AB", slaves: [] } } });
    try {
      assert.equal((await post(h, "sendStartCommand")).status, 204);
      assert.equal((await post(h, "sendStopCommand")).status, 204);
      assert.equal(
        (await post(h, "setSetting", { setting: "enableDebugCommands", value: "yes" })).status,
        204,
      );
      const d = await post(h, "sendDebugCommand", { commandName: "GetFirmwareVersion" });
      assert.equal(d.status, 409);
      assert.equal(d.text, '{"error":"No TWC is linked"}');
      assert.equal(
        await (await fetch(h.url("/api/getSlaveTWCs"))).text(),
        '{"total":{"carsCharging":0,"lastAmpsOffered":0,"lifetimekWh":0,"maxAmps":0,"reportedAmpsActual":0,"TWCID":"total"}}',
      );
    } finally {
      await h.stop();
    }
  },
);
