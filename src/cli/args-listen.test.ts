import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "./args.ts";

test("--listen and --port for the demo and a real config (issue 12 §3)", () => {
  assert.deepEqual(parseArgs(["--demo", "--listen", "0.0.0.0", "--port", "9090"]), { kind: "run", configPath: undefined, demo: true, listen: "0.0.0.0", port: 9090 });
  assert.deepEqual(parseArgs(["--config", "c.json", "--port=0"]), { kind: "run", configPath: "c.json", demo: false, port: 0 });
  assert.deepEqual(parseArgs(["--listen=[::1]"]), { kind: "run", configPath: undefined, demo: false, listen: "::1" });
  assert.equal(parseArgs(["--port", "70000"]).kind, "error");
  assert.equal(parseArgs(["--port", "http"]).kind, "error");
  assert.equal(parseArgs(["--port"]).kind, "error");
  assert.equal(parseArgs(["--listen"]).kind, "error");
  assert.equal(parseArgs(["--listen", "http://x/"]).kind, "error");
  assert.equal(parseArgs(["check-config", "--port", "1"]).kind, "error", "check-config has no --port");
});

test("init hands its arguments on", () => {
  assert.deepEqual(parseArgs(["init", "--force", "x.json"]), { kind: "init", argv: ["--force", "x.json"] });
});
