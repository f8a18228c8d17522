/**
 * Issue item 2, "Secrets in getConfig, getPolicy and logs": 40+ planted secrets of every kind (secret key
 * names, URL userinfo, token query parameters, Authorization values, JWTs, webhook paths), nested, in
 * arrays, in policy webhooks, an energy source URL and custom settings. None may appear in getConfig,
 * getPolicy, /api/v2/settings, /api/v2/state, or any log line — including the lines of a failed webhook
 * and a failed source poll. The real composition root and logger; loopback only.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { Writable } from "node:stream";
import { loadConfigText } from "../../src/config/load.ts";
import { createLogger } from "../../src/cli/logger.ts";
import { startProduct, type RunningProduct } from "../../src/cli/run.ts";
import { freePort, tempDir } from "./helpers.ts";

/** Every planted secret; each is unique, so finding it anywhere is a leak. */
const S = {
  authPassword: "S01-authPassword",
  token1: "S02-bearer-token-aaaaaaaaaaaa",
  token2: "S03-bearer-token-bbbbbbbbbbbb",
  hassKey: "S04-hassApiKey",
  mqttSrcPassword: "S05-mqttSourcePassword",
  mqttCtlPassword: "S06-mqttControlPassword",
  teslaSecret: "S07-teslaApiClientSecret",
  key: "S08-key",
  privateKey: "S09-privateKey",
  pwd: "S10-pwd",
  pin: "S11-pin",
  psk: "S12-psk",
  bearer: "S13-bearer",
  jwt: "S14-jwt",
  accessKey: "S15-accessKey",
  authorization: "S16-authorization",
  cookie: "S17-cookie",
  sessionId: "S18-sessionId",
  encryptionKey: "S19-encryption_key",
  xApiKey: "S20-x-api-key",
  nestedPinCode: "S21-nestedPinCode",
  setCookie: "S22-setCookie",
  srcUser: "S23srcUser",
  srcPass: "S24srcPass",
  srcPath: "S25srcPath",
  srcGenKey: "S26srcGenKey",
  srcConsToken: "S27srcConsToken",
  sentryKey: "S28sentryKey",
  notifyToken: "S29notifyToken",
  notifySig: "S30notifySig",
  curlBearer: "S31curlBearer",
  mqttUriUser: "S32mqttUriUser",
  mqttUriPass: "S33mqttUriPass",
  hookUser: "S34hookUser",
  hookPass: "S35hookPass",
  hookId: "S36hookId",
  hookToken: "S37hookToken",
  hookId2: "S38hookId2",
  slack: "S39slackSecret",
  ifttt: "S40iftttKey",
  jwtValue: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTNDEifQ.S41jwtSignature",
  basicPass: "S42basicPass",
  emergencyHook: "S43emergencyHook",
  policyValueToken: "S44policyValueToken",
  settingPin: "S45settingPin",
  settingUrlPass: "S46settingUrlPass",
  settingUrlKey: "S47settingUrlKey",
  queryToken: "S48queryToken",
} as const;

/** The base64 of a Basic credential must not leak either. */
const BASIC = Buffer.from(`admin:${S.basicPass}`).toString("base64");
const SECRETS = [...Object.values(S), BASIC];

let product: RunningProduct;
let port: number;
const hookRequests: string[] = [];
let logText = "";
const temp = tempDir("twcm-secrets-");
const hookServer = createServer((req, res) => {
  hookRequests.push(req.url ?? "");
  req.resume();
  res.writeHead(500).end("nope");
});

function config(hookPort: number): Record<string, unknown> {
  const hook = `http://127.0.0.1:${hookPort}`;
  return {
    config: {
      settingsPath: temp.dir,
      wiringMaxAmpsAllTWCs: 32,
      wiringMaxAmpsPerTWC: 32,
      minAmpsPerTWC: 6,
      teslaApiClientSecret: S.teslaSecret,
    },
    interface: { Dummy: { enabled: true, twcID: "AB" } },
    control: {
      HTTP: {
        enabled: true,
        listenPort: port,
        listenAddress: "127.0.0.1",
        auth: { tokens: [S.token1, S.token2], username: "admin", password: S.authPassword },
      },
      MQTT: { enabled: false, brokerIP: "127.0.0.1", username: "u", password: S.mqttCtlPassword },
    },
    sources: {
      URL: {
        enabled: true,
        url: `http://${S.srcUser}:${S.srcPass}@127.0.0.1:${hookPort}/api/token/${S.srcPath}`,
        generationItem: `gen?apikey=${S.srcGenKey}`,
        consumptionItem: `cons?access_token=${S.srcConsToken}`,
      },
      HASS: { enabled: false, serverIP: "127.0.0.1", apiKey: S.hassKey },
      MQTT: { enabled: false, brokerIP: "127.0.0.1", username: "u", password: S.mqttSrcPassword },
    },
    policy: {
      extend: {
        emergency: [
          {
            name: "Never",
            match: ["settings.neverSet"],
            condition: ["eq"],
            value: [`https://x.example/?token=${S.policyValueToken}`],
            charge_amps: 0,
            webhooks: { enter: `https://ha.example/api/webhook/${S.emergencyHook}` },
          },
        ],
        webhooks: {
          "Charge Now": {
            enter: `http://${S.hookUser}:${S.hookPass}@127.0.0.1:${hookPort}/api/webhook/${S.hookId}?token=${S.hookToken}`,
            exit: `${hook}/api/webhook/${S.hookId2}`,
            start: `https://hooks.slack.com/services/T0/B0/${S.slack}`,
            stop: `https://maker.ifttt.com/trigger/x/with/key/${S.ifttt}`,
          },
        },
      },
    },
    logging: { Console: { enabled: false } },
    extras: {
      key: S.key,
      privateKey: S.privateKey,
      pwd: S.pwd,
      pin: S.pin,
      psk: S.psk,
      bearer: S.bearer,
      jwt: S.jwt,
      accessKey: S.accessKey,
      Authorization: S.authorization,
      Cookie: S.cookie,
      sessionId: S.sessionId,
      encryption_key: S.encryptionKey,
      "x-api-key": S.xApiKey,
      devices: [{ name: "garage", pinCode: S.nestedPinCode }, { headers: { "Set-Cookie": S.setCookie } }],
      sentry: `https://${S.sentryKey}@o1.ingest.example/1`,
      notify: { url: `https://api.example/notify?token=${S.notifyToken}&sig=${S.notifySig}` },
      curl: `curl -H 'Authorization: Bearer ${S.curlBearer}' https://api.example`,
      brokers: [`mqtt://${S.mqttUriUser}:${S.mqttUriPass}@broker.local:1883`],
      vehicle: { note: `token ${S.jwtValue}` },
      proxy: `Basic ${BASIC}`,
    },
  };
}

before(async () => {
  await new Promise<void>((r) => hookServer.listen(0, "127.0.0.1", r));
  const addr = hookServer.address();
  const hookPort = typeof addr === "object" && addr ? addr.port : 0;
  port = await freePort();
  const loaded = loadConfigText(JSON.stringify(config(hookPort)), "config.json");
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logText += chunk.toString("utf8");
      cb();
    },
  });
  const logger = createLogger({
    level: "debug",
    console: { enabled: true, simple: false },
    file: null,
    stdout: sink,
  });
  for (const w of loaded.warnings) logger.warn({ module: "config", code: "CONFIG_WARNING" }, w);
  product = await startProduct({ config: loaded.config, raw: loaded.raw, logger });
});

after(async () => {
  await product.stop();
  await new Promise<void>((r) => hookServer.close(() => r()));
  temp.cleanup();
});

const auth = { authorization: `Bearer ${S.token1}` };
const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { ...auth, ...init.headers } });

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `gave up waiting for ${what}`);
}

function assertNoSecret(where: string, text: string): void {
  const leaked = SECRETS.filter((s) => text.includes(s));
  assert.deepEqual(leaked, [], `${where} leaks ${leaked.length} secrets`);
}

test("at least 35 secrets are planted", () => {
  assert.ok(SECRETS.length >= 35, String(SECRETS.length));
});

test("getConfig shows no planted secret and keeps the structure", async () => {
  const res = await api("/api/getConfig");
  assert.equal(res.status, 200);
  const text = await res.text();
  assertNoSecret("getConfig", text);
  const doc = JSON.parse(text) as {
    extras: Record<string, unknown>;
    policy: { extend: { webhooks: Record<string, Record<string, string>> } };
  };
  assert.equal(doc.extras.pin, "(hidden)");
  assert.match(
    doc.policy.extend.webhooks["Charge Now"]?.exit ?? "",
    /^http:\/\/127\.0\.0\.1:\d+\/\(hidden\)$/,
  );
  assert.ok(text.includes('"username":"admin"'), "non-secret values stay");
});

test("getPolicy hides webhook paths and secrets inside condition values", async () => {
  const res = await api("/api/getPolicy");
  assert.equal(res.status, 200);
  const text = await res.text();
  assertNoSecret("getPolicy", text);
  const list = JSON.parse(text) as { name: string; webhooks?: Record<string, string> }[];
  assert.equal(list.find((p) => p.name === "Never")?.webhooks?.enter, "https://ha.example/(hidden)");
});

test("custom settings with secrets are hidden in /api/v2/settings", async () => {
  for (const [setting, value] of [
    ["alarmPin", S.settingPin],
    ["notifyEndpoint", `https://u:${S.settingUrlPass}@n.example/x?apikey=${S.settingUrlKey}`],
  ]) {
    const r = await api("/api/setSetting", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ setting, value }),
    });
    assert.equal(r.status, 204, await r.text());
  }
  const text = await (await api("/api/v2/settings")).text();
  assert.ok(text.includes('"alarmPin":"(hidden)"'), text);
  assertNoSecret("/api/v2/settings", text);
});

test("a failed webhook and a failed source poll log no secret; the state shows the error redacted", async () => {
  await waitFor(() => hookRequests.some((u) => u.startsWith(`/api/token/${S.srcPath}/`)) && logText.includes("HTTP 500"), "the URL source failure");
  const charge = await api("/api/chargeNow", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chargeNowRate: 10, chargeNowDuration: 600 }),
  });
  assert.equal(charge.status, 200);
  await waitFor(() => logText.split("WEBHOOK_FAILED").length > 1, "the enter webhook failure");
  const cancel = await api("/api/cancelChargeNow", { method: "POST" });
  assert.equal(cancel.status, 200);
  await waitFor(
    () => hookRequests.length > 0 && logText.split("WEBHOOK_FAILED").length > 2,
    "the exit webhook failure",
  );
  // The webhooks themselves used the real URLs (userinfo sent as Basic authentication).
  assert.ok(hookRequests.includes(`/api/webhook/${S.hookId}?token=${S.hookToken}`), JSON.stringify(hookRequests));
  assert.ok(hookRequests.includes(`/api/webhook/${S.hookId2}`), JSON.stringify(hookRequests));
  // A request carrying a token in its query string must not leak through any request log either.
  await api(`/api/getStatus?token=${S.queryToken}`);
  const state = await (await api("/api/v2/state")).text();
  assertNoSecret("/api/v2/state", state);
  assert.match(state, /\(hidden\)/, "the source error is shown, redacted");
  if (process.env.SHOW_LOG) console.log(logText);
  assertNoSecret("the log", logText);
  assert.match(logText, /"url":"http:\/\/\(hidden\)@127\.0\.0\.1:\d+\/\(hidden\)"/);
  assert.match(logText, /"url":"http:\/\/127\.0\.0\.1:\d+\/\(hidden\)"/);
});
