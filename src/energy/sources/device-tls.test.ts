/**
 * Certificate rules of the Powerwall gateway and the local Envoy (energy-sources.md §1.6; device-tls.ts)
 * against an HTTPS fake with a test-made self-signed certificate: accepted by default for that device's
 * requests only, refused with `verifyCertificate`, accepted again when pinned with `caFile`, refused
 * with a different pinned certificate, the host name checked when both are set, and a clear error for
 * an unreadable file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { createEnphaseSource } from "./enphase.ts";
import { pollNow, selfSignedCert, startSelfSignedHttps, type HttpsFake } from "./module-source.test-helper.ts";
import { createPowerwall2Source } from "./powerwall2.ts";

const BODIES: Record<string, unknown> = {
  "/api/meters/aggregates": { site: { instant_power: 10 }, load: { instant_power: 900 }, solar: { instant_power: 2500 } },
  "/api/system_status/soe": { percentage: 80 },
  "/api/system_status/grid_status": { grid_status: "SystemGridConnected" },
  "/api/operation": { real_mode: "self_consumption", backup_reserve_percent: 20 },
  "/production.json?details=1&classic-1": {
    production: [{ type: "eim", measurementType: "production", wNow: 3100 }],
    consumption: [{ type: "eim", measurementType: "total-consumption", wNow: 700, rmsVoltage: 230 }],
  },
};

let device: HttpsFake;
let dir = "";
let pinned = "";
let other = "";
before(async () => {
  // A gateway-like certificate: it names the device, not the address it is reached at.
  device = await startSelfSignedHttps((req, res) => {
    const b = BODIES[req.url ?? ""];
    if (b === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(b));
  }, "teslapw");
  dir = mkdtempSync(join(tmpdir(), "twc-tls-"));
  pinned = join(dir, "device.pem");
  other = join(dir, "other.pem");
  writeFileSync(pinned, device.cert);
  writeFileSync(other, selfSignedCert("teslapw").cert);
});
after(async () => {
  await device.close();
  rmSync(dir, { recursive: true, force: true });
});

const deps = (): { clock: FakeClock; logger: ReturnType<typeof captureLogger> } => ({ clock: new FakeClock(), logger: captureLogger() });

function powerwall(tls: { verifyCertificate?: boolean; caFile?: string }): ReturnType<typeof createPowerwall2Source> {
  return createPowerwall2Source(
    { enabled: true, serverIP: "127.0.0.1", serverPort: device.port, minBatteryLevel: 0, pollIntervalS: 10, ...tls },
    deps(),
  );
}

function envoy(tls: { verifyCertificate?: boolean; caFile?: string }): ReturnType<typeof createEnphaseSource> {
  return createEnphaseSource(
    { enabled: true, serverIP: "127.0.0.1", serverPort: device.port, token: "jwt", verifyCertificate: tls.verifyCertificate ?? false, ...(tls.caFile ? { caFile: tls.caFile } : {}) },
    deps(),
  );
}

const CASES = [
  { name: "Powerwall2", make: powerwall, generationW: 2500 },
  { name: "Enphase (local Envoy)", make: envoy, generationW: 3100 },
] as const;

for (const c of CASES) {
  describe(`${c.name} certificate rules`, () => {
    test("default: the self-signed certificate is accepted for this device's requests only", async () => {
      const s = c.make({});
      assert.equal((await pollNow(s))?.generationW, c.generationW, String(s.lastError()));
      await s.stop();
      await assert.rejects(fetch(`${device.url}/api/meters/aggregates`), "the process-wide client still refuses it");
    });

    test("verifyCertificate: refused (self-signed)", async () => {
      const s = c.make({ verifyCertificate: true });
      assert.equal(await pollNow(s), null);
      assert.match(s.lastError() ?? "", /self.signed|certificate/i);
      await s.stop();
    });

    test("caFile with the device's certificate: accepted although the name differs from the address", async () => {
      const s = c.make({ caFile: pinned });
      assert.equal((await pollNow(s))?.generationW, c.generationW, String(s.lastError()));
      await s.stop();
    });

    test("caFile with another certificate: refused; with verifyCertificate too, the host name is checked", async () => {
      const wrong = c.make({ caFile: other });
      assert.equal(await pollNow(wrong), null);
      assert.match(wrong.lastError() ?? "", /certificate|self.signed/i);
      await wrong.stop();
      const strict = c.make({ caFile: pinned, verifyCertificate: true });
      assert.equal(await pollNow(strict), null);
      assert.match(strict.lastError() ?? "", /altnames|host|IP/i);
      await strict.stop();
    });

    test("an unreadable caFile fails the read with a message naming the key", async () => {
      const s = c.make({ caFile: join(dir, "missing.pem") });
      assert.equal(await pollNow(s), null);
      assert.match(s.lastError() ?? "", /^sources\.(Powerwall2|Enphase)\.caFile .*missing\.pem: cannot be read \(ENOENT\)/);
      await s.stop();
    });
  });
}
