import { test } from "node:test";
import assert from "node:assert/strict";
import { createSerialBinding } from "./serial.ts";
import { describeOsError, openFailed } from "./open-error.ts";

test("describeOsError: the errno code wins, else serialport's strerror text, else the message", () => {
  const err = (message: string, code?: string): Error => Object.assign(new Error(message), code ? { code } : {});
  assert.deepEqual(describeOsError(err("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED")), {
    reason: "connection refused",
    errno: "ECONNREFUSED",
  });
  assert.deepEqual(describeOsError(err("getaddrinfo ENOTFOUND nohost", "ENOTFOUND")), {
    reason: "host not found (DNS lookup failed)",
    errno: "ENOTFOUND",
  });
  assert.deepEqual(describeOsError(err("listen EADDRINUSE: address already in use", "EADDRINUSE")), {
    reason: "address already in use",
    errno: "EADDRINUSE",
  });
  assert.deepEqual(describeOsError(err("Error: No such file or directory, cannot open /dev/ttyUSB0")), {
    reason: "no such file or directory",
    errno: "ENOENT",
  });
  assert.deepEqual(describeOsError(err("Error: Permission denied, cannot open /dev/ttyS0")), {
    reason: "permission denied",
    errno: "EACCES",
  });
  assert.deepEqual(describeOsError(err("Error: Inappropriate ioctl for device setting custom baud rate of 9600")), {
    reason: "not a serial device",
    errno: "ENOTTY",
  });
  assert.deepEqual(describeOsError(err("Error: something odd", "ERR_SOCKET_BAD_PORT")), {
    reason: "something odd",
    errno: null,
  });
  assert.deepEqual(describeOsError("plain"), { reason: "plain", errno: null });
});

test("openFailed: one shape for every transport", () => {
  const cause = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
  const e = openFailed("open rfc2217://h:1", { endpoint: "rfc2217://h:1" }, cause, "the server hung up");
  assert.equal(e.code, "TRANSPORT_OPEN_FAILED");
  assert.equal(e.message, "cannot open rfc2217://h:1: the server hung up");
  assert.deepEqual(e.context, { endpoint: "rfc2217://h:1", reason: "the server hung up", errno: "EPIPE" });
  assert.equal(e.cause, cause);
  const s = openFailed("accept a bridge on h:1", { endpoint: "listening on h:1" }, "nobody came");
  assert.deepEqual(s.context, { endpoint: "listening on h:1", reason: "nobody came", errno: null });
  assert.equal(s.cause, undefined);
});

test("a missing serial device: reason and errno ENOENT (the real serialport)", async () => {
  await assert.rejects(createSerialBinding({ path: "/dev/ttyNOPE-h4", baud: 9600 }).open(), (e: unknown) => {
    const ctx = (e as { context?: Record<string, unknown> }).context;
    assert.equal((e as Error).message, "cannot open serial port /dev/ttyNOPE-h4: no such file or directory");
    assert.deepEqual(ctx, { path: "/dev/ttyNOPE-h4", reason: "no such file or directory", errno: "ENOENT" });
    return true;
  });
});
