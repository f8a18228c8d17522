import { test } from "node:test";
import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { installationNodeId, macToBigInt, primaryMac, randomNodeId } from "./node-id.ts";

function nic(mac: string, internal = false): NetworkInterfaceInfo {
  return { address: "10.0.0.2", netmask: "255.0.0.0", family: "IPv4", mac, internal, cidr: "10.0.0.2/8" };
}

test("the MAC of http-api §6.9's example gives 202481587074134", () => {
  assert.equal(macToBigInt("b8:27:eb:12:34:56"), 202481587074134n);
  assert.equal(installationNodeId({}, { eth0: [nic("b8:27:eb:12:34:56")] }), "202481587074134");
});

test("first non-internal universally administered MAC wins; else the first non-zero one", () => {
  const ifaces = {
    lo: [nic("00:00:00:00:00:00", true)],
    docker0: [nic("02:42:ac:11:00:02")],
    wlan0: [nic("b8:27:eb:00:00:01"), nic("b8:27:eb:00:00:01")],
    eth0: [nic("b8:27:eb:00:00:02")],
  };
  assert.equal(primaryMac(ifaces), 0xb827eb000001n);
  assert.equal(
    primaryMac({ lo: [nic("00:00:00:00:00:00", true)], docker0: [nic("02:42:ac:11:00:02")] }),
    0x0242ac110002n,
  );
  assert.equal(primaryMac({ lo: [nic("00:00:00:00:00:00", true)] }), null);
});

test("without a MAC: a random 48-bit value with the multicast bit set", () => {
  const id = BigInt(installationNodeId({}, {}, () => new Uint8Array([0x00, 1, 2, 3, 4, 5])));
  assert.equal(id, 0x010102030405n);
  const r = randomNodeId();
  assert.ok(r < 1n << 48n);
  assert.equal((r >> 40n) & 1n, 1n);
});

test("a persisted decimal identifier is returned unchanged", () => {
  assert.equal(
    installationNodeId({ installationNodeId: "123" }, { eth0: [nic("b8:27:eb:12:34:56")] }),
    "123",
  );
  assert.equal(
    installationNodeId({ installationNodeId: "abc" }, { eth0: [nic("b8:27:eb:12:34:56")] }),
    "202481587074134",
  );
});
