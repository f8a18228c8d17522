import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { systemClock } from "../shared/clock.ts";
import { sendWebhook } from "./webhook.ts";

test("a failed webhook rejects with the URL reduced to scheme and host", async () => {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  try {
    const check = (secrets: string[], shown: string) => (err: unknown) => {
      assert.ok(err instanceof Error);
      for (const s of secrets) assert.ok(!err.message.includes(s), `${s} in ${err.message}`);
      assert.ok(err.message.startsWith(`webhook ${shown} failed: `), err.message);
      return true;
    };
    // Node's fetch refuses userinfo with a message that repeats the whole URL.
    await assert.rejects(
      sendWebhook(`http://HOOKUSER:HOOKPASS@127.0.0.1:${port}/custom/HOOKPATH2`, "GET", "", systemClock),
      check(["HOOKUSER", "HOOKPASS", "HOOKPATH2"], `http://(hidden)@127.0.0.1:${port}/(hidden)`),
    );
    await assert.rejects(
      sendWebhook(`http://127.0.0.1:${port}/custom/HOOKPATH?x=HOOKQUERY`, "POST", "{}", systemClock),
      check(["HOOKPATH", "HOOKQUERY"], `http://127.0.0.1:${port}/(hidden)`),
    );
  } finally {
    server.close();
  }
});

test("credentials in a webhook URL are sent as HTTP Basic authentication (fetch refuses them in the URL)", async () => {
  const seen: { auth: string | undefined; url: string | undefined }[] = [];
  const server = createServer((req, res) => {
    seen.push({ auth: req.headers.authorization, url: req.url });
    req.resume();
    res.writeHead(req.headers.authorization === `Basic ${Buffer.from("hook user:p@ss").toString("base64")}` ? 200 : 401).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  try {
    await sendWebhook(`http://hook%20user:p%40ss@127.0.0.1:${port}/api/webhook/x?y=1`, "POST", "{}", systemClock);
    assert.deepEqual(seen, [{ auth: `Basic ${Buffer.from("hook user:p@ss").toString("base64")}`, url: "/api/webhook/x?y=1" }]);
  } finally {
    server.close();
  }
});
