import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "./logger.ts";

function sink(): { stream: Writable; text(): string } {
  let out = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString("utf8");
      cb();
    },
  });
  return { stream, text: () => out };
}

const SECRETS = ["LOGPASS", "LOGTOKEN", "LOGBEARER", "LOGCOOKIE", "LOGPIN", "LOGKEY", "LOGCHILD", "LOGSTACK"];

function logSecrets(simple: boolean): string {
  const s = sink();
  const log = createLogger({
    level: "debug",
    console: { enabled: true, simple },
    file: null,
    stdout: s.stream,
  });
  const child = log.child({ module: "energy", endpoint: "http://u:LOGCHILD@h/" });
  child.warn(
    {
      code: "SOURCE_FAILED",
      url: "http://user:LOGPASS@10.0.0.2/solar?token=LOGTOKEN",
      headers: { authorization: "Bearer LOGBEARER", cookie: "LOGCOOKIE" },
      pin: "LOGPIN",
      err: new Error("GET http://10.0.0.2/x?apikey=LOGKEY failed: https://a:LOGSTACK@b/"),
    },
    "fetch http://user:LOGPASS@10.0.0.2/solar?token=LOGTOKEN failed",
  );
  log.info({ module: "http", port: 8080 }, "listening on 127.0.0.1:8080");
  return s.text();
}

describe("createLogger redacts every line", () => {
  it("JSON lines: fields by name, strings (message, url, error stack, child bindings) by value", () => {
    const text = logSecrets(false);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
    const [warn, info] = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(warn?.msg, "fetch http://(hidden)@10.0.0.2/solar?token=(hidden) failed");
    assert.equal(warn?.pin, "(hidden)");
    assert.equal(warn?.code, "SOURCE_FAILED");
    assert.deepEqual(info, {
      level: 30,
      time: info?.time,
      module: "http",
      port: 8080,
      msg: "listening on 127.0.0.1:8080",
    });
  });

  it("simple console lines", () => {
    const text = logSecrets(true);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
    assert.match(
      text,
      /WARN \[energy\] fetch http:\/\/\(hidden\)@10\.0\.0\.2\/solar\?token=\(hidden\) failed \(SOURCE_FAILED\)/,
    );
  });
});
