import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HIDDEN,
  isSecretKey,
  isWebhookKey,
  keyWords,
  redactLogLine,
  redactSecrets,
  redactText,
  redactWebhookUrl,
} from "./redact.ts";

describe("keyWords", () => {
  it("splits camelCase, acronyms, snake and kebab case", () => {
    assert.deepEqual(keyWords("teslaApiClientSecret"), ["tesla", "api", "client", "secret"]);
    assert.deepEqual(keyWords("APIKey"), ["api", "key"]);
    assert.deepEqual(keyWords("wiringMaxAmpsPerTWC"), ["wiring", "max", "amps", "per", "twc"]);
    assert.deepEqual(keyWords("x-api-key"), ["x", "api", "key"]);
    assert.deepEqual(keyWords("mqtt_pass"), ["mqtt", "pass"]);
    assert.deepEqual(keyWords("rs485Pin"), ["rs485", "pin"]);
  });
});

describe("isSecretKey", () => {
  it("hides the names of http-api §6.3 and the ones the issue lists", () => {
    const secret = [
      // http-api.md §6.3 examples (its regular expression is kept)
      "password",
      "passwordHash",
      "apiKey",
      "APIKey",
      "api_key",
      "teslaApiClientSecret",
      "tokens",
      "longLivedToken",
      "DSN",
      "mqtt_pass",
      // the list
      "key",
      "privateKey",
      "pwd",
      "pin",
      "psk",
      "bearer",
      "jwt",
      "accessKey",
      "Authorization",
      "Cookie",
      // more spellings
      "PIN",
      "pinCode",
      "wifi_pin",
      "mqttpwd",
      "passwd",
      "wpaPsk",
      "wpapsk",
      "bearerToken",
      "jwtSecret",
      "Set-Cookie",
      "cookies",
      "Proxy-Authorization",
      "proxyauthorization",
      "sessionId",
      "session_id",
      "sessionid",
      "sid",
      "signature",
      "sig",
      "x-api-key",
      "encryption_key",
      "privateKeyPem",
      "privatekey",
      "secretKey",
      "apiKeys",
      "otp",
      "credentials",
      "passphrase",
      "sentryDsn",
    ];
    for (const k of secret) assert.equal(isSecretKey(k), true, k);
  });

  it("keeps ordinary names, including look-alikes", () => {
    const plain = [
      "username",
      "brokerIP",
      "serverIP",
      "wiringMaxAmpsPerTWC",
      "wiringMaxAmpsAllTWCs",
      "minAmpsPerTWC",
      "keepAlive",
      "monkey",
      "keyboard",
      "hotkeys",
      "pinned",
      "spinning",
      "spinDown",
      "chargeAuthorizationMode",
      "accessKeyId",
      "keyFile",
      "certFile",
      "tipsKitchen",
      "settingsPath",
      "webhookMethod",
      "sidebar",
      "signal",
      "session",
      "sessionTtlHours",
      "protectReads",
      "name",
      "url",
      "consumptionItem",
    ];
    for (const k of plain) assert.equal(isSecretKey(k), false, k);
  });

  it("recognises webhook keys", () => {
    for (const k of ["webhooks", "webhook", "notifyWebhookUrl", "hooks"])
      assert.equal(isWebhookKey(k), true, k);
    for (const k of ["url", "hookah", "enter"]) assert.equal(isWebhookKey(k), false, k);
  });
});

describe("redactText", () => {
  const cases: [string, string][] = [
    ["http://user:pass@host:8080/p", "http://(hidden)@host:8080/p"],
    ["https://ghp_abc@github.com/x", "https://(hidden)@github.com/x"],
    ["mqtt://u:p@ss@broker:1883", "mqtt://(hidden)@broker:1883"],
    ["user:secretpw@broker.local", "(hidden)@broker.local"],
    ["url=admin:pw@10.0.0.2", "url=(hidden)@10.0.0.2"],
    ["http://h/x?a=1&token=abc&b=2", "http://h/x?a=1&token=(hidden)&b=2"],
    ["/cb?code=xyz&state=1", "/cb?code=(hidden)&state=1"],
    ["http://h/?access_token=a;api_key=b#f", "http://h/?access_token=(hidden);api_key=(hidden)#f"],
    [
      "http://h/?apikey=a&auth=b&sig=c&X-Amz-Signature=d",
      "http://h/?apikey=(hidden)&auth=(hidden)&sig=(hidden)&X-Amz-Signature=(hidden)",
    ],
    ["GET http://h/e?apikey=K: HTTP 500", "GET http://h/e?apikey=(hidden): HTTP 500"],
    ["see http://h/?token=abc.", "see http://h/?token=(hidden)."],
    ["http://h/?token=a:b c", "http://h/?token=(hidden) c"],
    ["login failed password=hunter2 code=E1", "login failed password=(hidden) code=E1"],
    ["Authorization: Bearer abc.def", "Authorization: (hidden)"],
    ["sent with bearer abc.def-1~", "sent with bearer (hidden)"],
    ["Cookie: sid=abc; theme=dark", "Cookie: (hidden)"],
    ["header Basic dXNlcjpwYXNz", "header Basic (hidden)"],
    ['body {"password":"x","pin":1234,"n":"y"}', 'body {"password":"(hidden)","pin":"(hidden)","n":"y"}'],
    ["t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl!", "t=(hidden)!"],
    ["https://hass:8123/api/webhook/abc-123?x", "https://hass:8123/api/webhook/(hidden)?x"],
    ["https://discord.com/api/webhooks/1/tok", "https://discord.com/api/webhooks/(hidden)/tok"],
    ["https://hooks.slack.com/services/T1/B2/XYZ", "https://hooks.slack.com/services/(hidden)"],
    [
      "https://maker.ifttt.com/trigger/ev/with/key/KEYVAL",
      "https://maker.ifttt.com/trigger/ev/with/key/(hidden)",
    ],
  ];
  for (const [input, expected] of cases) {
    it(`redacts ${input}`, () => assert.equal(redactText(input), expected));
  }

  it("leaves ordinary text alone", () => {
    const plain = [
      "HTTP control listening on 127.0.0.1:8080",
      "Basic configuration loaded",
      "token expired",
      "me@example.com",
      "http://10.0.0.5/solar?item=gen&unit=W",
      "at file:///work/node_modules/@fastify/x.js:1:2",
      "error code=ECONNREFUSED",
      "settings.chargeNowAmps",
      "10:30",
    ];
    for (const s of plain) assert.equal(redactText(s), s);
  });

  it("is idempotent", () => {
    for (const [input] of cases) assert.equal(redactText(redactText(input)), redactText(input));
  });
});

describe("redactWebhookUrl", () => {
  it("keeps scheme and host only", () => {
    assert.equal(
      redactWebhookUrl("https://u:p@hass.local:8123/api/webhook/abc?x=1"),
      "https://(hidden)@hass.local:8123/(hidden)",
    );
    assert.equal(redactWebhookUrl("http://10.0.0.2/hook"), "http://10.0.0.2/(hidden)");
    assert.equal(redactWebhookUrl("http://10.0.0.2/?t=1"), "http://10.0.0.2/(hidden)");
    assert.equal(redactWebhookUrl("http://host"), "http://host");
    assert.equal(redactWebhookUrl("http://host/"), "http://host");
  });

  it("applies the text rule to what is not an absolute URL", () => {
    assert.equal(redactWebhookUrl("POST"), "POST");
    assert.equal(redactWebhookUrl("/relative?token=x"), "/relative?token=(hidden)");
    assert.equal(redactWebhookUrl("http://[bad"), HIDDEN);
  });
});

describe("redactSecrets", () => {
  it("hides secret keys whatever the value, redacts string values, keeps structure and order", () => {
    const input = {
      zeta: 1,
      list: ["http://a:b@h/", { privateKey: { n: 1 }, keep: true }],
      policy: { extend: { webhooks: { "Charge Now": { enter: "https://h/api/webhook/id", note: "ok" } } } },
      webhookMethod: "POST",
      nan: Number.NaN,
      fn: () => 1,
    };
    assert.equal(
      JSON.stringify(redactSecrets(input)),
      '{"zeta":1,"list":["http://(hidden)@h/",{"privateKey":"(hidden)","keep":true}],' +
        '"policy":{"extend":{"webhooks":{"Charge Now":{"enter":"https://h/(hidden)","note":"ok"}}}},' +
        '"webhookMethod":"POST","nan":null,"fn":null}',
    );
  });
});

describe("redactLogLine", () => {
  it("redacts fields by name and strings by value, keeping the newline", () => {
    const line =
      JSON.stringify({
        level: 40,
        msg: "GET http://u:p@h/x?token=t failed",
        cookie: "c",
        err: { stack: "Error: Bearer abc" },
      }) + "\n";
    assert.equal(
      redactLogLine(line),
      '{"level":40,"msg":"GET http://(hidden)@h/x?token=(hidden) failed","cookie":"(hidden)","err":{"stack":"Error: Bearer (hidden)"}}\n',
    );
  });

  it("passes harmless lines through unchanged and redacts non-JSON text", () => {
    const line = '{"level":30,"time":1,"msg":"started","big":12345678901234567890}\n';
    assert.equal(redactLogLine(line), line);
    assert.equal(redactLogLine("not json http://u:p@h\n"), "not json http://(hidden)@h\n");
  });
});
