import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isTwcError } from "../shared/errors.ts";
import { createMemoryBinding, createMemoryPair } from "./memory.ts";

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("memory pair", () => {
  it("delivers what one side writes to the other, asynchronously and in order", async () => {
    const [a, b] = createMemoryPair();
    const got: number[][] = [];
    b.on("data", (bytes) => got.push([...bytes]));
    const w1 = a.write(Uint8Array.of(1, 2));
    const w2 = a.write(Uint8Array.of(3));
    assert.deepEqual(got, [], "nothing is delivered synchronously");
    await Promise.all([w1, w2]);
    await flush();
    assert.deepEqual(got, [[1, 2], [3]]);
  });

  it("works in both directions and delivers a copy", async () => {
    const [a, b] = createMemoryPair();
    const got: Uint8Array[] = [];
    a.on("data", (bytes) => got.push(bytes));
    const buf = Uint8Array.of(9, 8);
    await b.write(buf);
    buf[0] = 0;
    await flush();
    assert.deepEqual(
      got.map((g) => [...g]),
      [[9, 8]],
    );
  });

  it("closing one side closes both, once, without an error", async () => {
    const [a, b] = createMemoryPair();
    const closes: (Error | undefined)[] = [];
    a.on("close", (e) => closes.push(e));
    b.on("close", (e) => closes.push(e));
    await b.close();
    await a.close();
    assert.deepEqual(closes, [undefined, undefined]);
    assert.equal(a.closed, true);
    await assert.rejects(
      a.write(Uint8Array.of(1)),
      (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_CLOSED",
    );
  });

  it("drops bytes still in flight when the pair closes", async () => {
    const [a, b] = createMemoryPair();
    const got: Uint8Array[] = [];
    b.on("data", (bytes) => got.push(bytes));
    const w = a.write(Uint8Array.of(1));
    await a.close();
    await w;
    await flush();
    assert.equal(got.length, 0);
  });

  it("fail(error) closes both sides with that error", () => {
    const [a, b] = createMemoryPair();
    const closes: (Error | undefined)[] = [];
    a.on("close", (e) => closes.push(e));
    b.on("close", (e) => closes.push(e));
    const boom = new Error("cable cut");
    a.fail(boom);
    assert.deepEqual(closes, [boom, boom]);
  });
});

describe("memory binding", () => {
  it("hands a single port out once", async () => {
    const [a] = createMemoryPair();
    const binding = createMemoryBinding(a, { interfaceName: "TCP", endpoint: "mem:1" });
    assert.equal(binding.interfaceName, "TCP");
    assert.equal(binding.endpoint, "mem:1");
    assert.equal(await binding.open(), a);
    await assert.rejects(binding.open(), (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_OPEN_FAILED");
  });

  it("calls a factory on every open and passes its failures on", async () => {
    let n = 0;
    const binding = createMemoryBinding(() => {
      n++;
      if (n === 1) throw new Error("not yet");
      return createMemoryPair()[0];
    });
    await assert.rejects(binding.open(), /not yet/);
    const port = await binding.open();
    assert.ok(port);
    assert.equal(n, 2);
  });
});
