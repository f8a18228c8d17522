/** Unit tests of who opens an event stream (v2/events.ts streamOpener): authenticated or not. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyRequest } from "fastify";
import { FakeClock } from "../../shared/clock.ts";
import { Authenticator } from "../security/auth.ts";
import { authConfig } from "../security/test-app.test-helper.ts";
import { streamOpener } from "./events.ts";

const TOKEN = "a-long-random-test-token";

function req(headers: Record<string, string>): FastifyRequest {
  return { ip: "192.168.1.7", headers } as unknown as FastifyRequest;
}

test("a stream is authenticated only with authentication on and valid credentials", async () => {
  const auth = new Authenticator(authConfig({ tokens: [TOKEN] }), new FakeClock(0));
  const cases: [Authenticator | null, Record<string, string>, boolean][] = [
    [null, { authorization: `Bearer ${TOKEN}` }, false],
    [auth, {}, false],
    [auth, { authorization: `Bearer ${TOKEN}` }, true],
    [auth, { authorization: "Bearer wrong-token-of-some-length" }, false],
    [auth, { cookie: "twcm_session=unknown" }, false],
  ];
  for (const [a, headers, authenticated] of cases) {
    assert.deepEqual(await streamOpener(a, req(headers)), { address: "192.168.1.7", authenticated }, JSON.stringify(headers));
  }
  const id = auth.sessions.create();
  assert.equal((await streamOpener(auth, req({ cookie: `twcm_session=${id}` }))).authenticated, true);
});
