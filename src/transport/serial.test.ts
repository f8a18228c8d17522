import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SerialPortMock } from "serialport";
import { isTwcError } from "../shared/errors.ts";
import { createSerialBinding, type SerialStreamFactory } from "./serial.ts";

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

let lastStream: SerialPortMock | null = null;
const mockFactory: SerialStreamFactory = ({ path, baud }) => {
  lastStream = new SerialPortMock({ path, baudRate: baud, autoOpen: false });
  return lastStream;
};

describe("serial binding (serialport mock binding)", () => {
  afterEach(() => {
    SerialPortMock.binding.reset();
    lastStream = null;
  });

  it("describes itself as RS485 with the device path as endpoint", () => {
    const b = createSerialBinding({ path: "/dev/ttyUSB7", baud: 9600 }, mockFactory);
    assert.equal(b.interfaceName, "RS485");
    assert.equal(b.endpoint, "/dev/ttyUSB7");
  });

  it("fails to open a missing device with TRANSPORT_OPEN_FAILED naming the path and reason", async () => {
    const b = createSerialBinding({ path: "/dev/ttyNOPE", baud: 9600 }, mockFactory);
    await assert.rejects(b.open(), (e: unknown) => {
      assert.ok(isTwcError(e));
      assert.equal(e.code, "TRANSPORT_OPEN_FAILED");
      assert.equal(e.context?.path, "/dev/ttyNOPE");
      assert.equal(typeof e.context?.reason, "string");
      assert.match(e.message, /\/dev\/ttyNOPE/);
      return true;
    });
  });

  it("fails with TRANSPORT_OPEN_FAILED when the stream cannot even be created", async () => {
    const b = createSerialBinding({ path: "", baud: 9600 }, () => {
      throw new TypeError('"path" is not defined');
    });
    await assert.rejects(b.open(), (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_OPEN_FAILED");
  });

  it("turns received Buffers into plain Uint8Arrays and writes bytes out", async () => {
    SerialPortMock.binding.createPort("/dev/ttyMOCK0", { record: true });
    const port = await createSerialBinding({ path: "/dev/ttyMOCK0", baud: 9600 }, mockFactory).open();
    const got: Uint8Array[] = [];
    port.on("data", (b) => got.push(b));
    lastStream!.port!.emitData(Buffer.from([0xc0, 0xfd, 0xe2]));
    await flush();
    await flush();
    assert.equal(got.length, 1);
    assert.equal(Object.getPrototypeOf(got[0]), Uint8Array.prototype, "not a Buffer");
    assert.deepEqual([...got[0]!], [0xc0, 0xfd, 0xe2]);
    await port.write(Uint8Array.of(1, 2, 3));
    assert.deepEqual([...lastStream!.port!.recording], [1, 2, 3]);
    await port.close();
  });

  it("closes idempotently, emits close without error, then refuses writes", async () => {
    SerialPortMock.binding.createPort("/dev/ttyMOCK1");
    const port = await createSerialBinding({ path: "/dev/ttyMOCK1", baud: 9600 }, mockFactory).open();
    const closes: (Error | undefined)[] = [];
    port.on("close", (e) => closes.push(e));
    await port.close();
    await port.close();
    assert.deepEqual(closes, [undefined]);
    await assert.rejects(
      port.write(Uint8Array.of(1)),
      (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_CLOSED",
    );
  });

  it("reports a stream error as close(error)", async () => {
    SerialPortMock.binding.createPort("/dev/ttyMOCK2");
    const port = await createSerialBinding({ path: "/dev/ttyMOCK2", baud: 9600 }, mockFactory).open();
    const closes: (Error | undefined)[] = [];
    port.on("close", (e) => closes.push(e));
    lastStream!.emit("error", new Error("EIO"));
    for (let i = 0; i < 5 && closes.length === 0; i++) await flush();
    assert.equal(closes.length, 1);
    assert.equal(closes[0]?.message, "EIO");
  });
});
