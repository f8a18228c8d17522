/** The Logs page's model: merging the document and the stream, filters, download text. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { asLogEntry, downloadTextOf, filterEntries, mergeEntries, moduleNames, type LogEntry } from "../../../src/web/logs-model.ts";

const e = (seq: number, level = "info", module: string | null = "bus"): LogEntry => ({ seq, level, module, line: `line ${seq}` });

test("mergeEntries orders by seq, keeps each once and the newest `max`", () => {
  assert.deepEqual(mergeEntries([e(1), e(2)], [e(3), e(4)]).map((x) => x.seq), [1, 2, 3, 4]);
  assert.deepEqual(mergeEntries([e(1), e(3)], [e(2), e(3), e(4)]).map((x) => x.seq), [1, 2, 3, 4]);
  assert.deepEqual(mergeEntries([e(1), e(2), e(3)], [e(4)], 2).map((x) => x.seq), [3, 4]);
  assert.deepEqual(mergeEntries([], []), []);
});

test("filterEntries by lowest level and module (\"-\": none)", () => {
  const list = [e(1, "debug"), e(2, "warn", "energy"), e(3, "error", null), e(4, "info")];
  assert.deepEqual(filterEntries(list, "", "").map((x) => x.seq), [1, 2, 3, 4]);
  assert.deepEqual(filterEntries(list, "warn", "").map((x) => x.seq), [2, 3]);
  assert.deepEqual(filterEntries(list, "", "bus").map((x) => x.seq), [1, 4]);
  assert.deepEqual(filterEntries(list, "", "-").map((x) => x.seq), [3]);
  assert.deepEqual(moduleNames(list, ["mqtt"]), ["-", "bus", "energy", "mqtt"]);
});

test("asLogEntry accepts the server's entries only; the download is one line per entry", () => {
  assert.deepEqual(asLogEntry({ seq: 1, level: "info", module: null, line: "x", record: {} }), { seq: 1, level: "info", module: null, line: "x" });
  assert.equal(asLogEntry({ seq: "1", level: "info", line: "x" }), null);
  assert.equal(asLogEntry(null), null);
  assert.equal(downloadTextOf([e(1), e(2)]), "line 1\nline 2\n");
});
