import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "./args.ts";

test("parseArgs understands the documented invocations", () => {
  assert.deepEqual(parseArgs([]), { kind: "run", configPath: undefined, demo: false });
  assert.deepEqual(parseArgs(["--config", "/x.json"]), { kind: "run", configPath: "/x.json", demo: false });
  assert.deepEqual(parseArgs(["--demo"]), { kind: "run", configPath: undefined, demo: true });
  assert.deepEqual(parseArgs(["check-config", "a.json"]), { kind: "check-config", configPath: "a.json" });
  assert.deepEqual(parseArgs(["check-config", "--config", "a.json"]), { kind: "check-config", configPath: "a.json" });
  assert.deepEqual(parseArgs(["sim", "--listen", "127.0.0.1:1"]), { kind: "sim", argv: ["--listen", "127.0.0.1:1"] });
  assert.equal(parseArgs(["--bogus"]).kind, "error");
  assert.equal(parseArgs(["--config"]).kind, "error");
});
