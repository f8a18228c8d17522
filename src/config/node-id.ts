/**
 * The installation identifier served by GET /api/getUUID (http-api.md §6.9): the persisted
 * `settings.installationNodeId`, else the primary MAC address as a 48-bit decimal integer, else a random
 * 48-bit value with the multicast bit set. Pure given the interface list and the random source.
 */
import { randomBytes } from "node:crypto";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/** Interface list in the shape of os.networkInterfaces(). */
export type InterfaceList = Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>;

/** "b8:27:eb:12:34:56" → 202481587074134n; null when malformed. */
export function macToBigInt(mac: string): bigint | null {
  if (!/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/.test(mac)) return null;
  return BigInt(`0x${mac.replace(/[:-]/g, "")}`);
}

/** Picks the MAC per §6.9: first non-internal universally administered non-zero MAC, else the first non-zero one. */
export function primaryMac(interfaces: InterfaceList): bigint | null {
  let fallback: bigint | null = null;
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      const n = macToBigInt(info.mac);
      if (n === null || n === 0n) continue;
      const universal = ((n >> 40n) & 0x02n) === 0n;
      if (!info.internal && universal) return n;
      fallback ??= n;
    }
  }
  return fallback;
}

/** A random 48-bit identifier with the multicast bit (bit 0 of the first octet) set. */
export function randomNodeId(random: (n: number) => Uint8Array = (n) => randomBytes(n)): bigint {
  const b = random(6);
  let n = 0n;
  for (let i = 0; i < 6; i++) n = (n << 8n) | BigInt(b[i] ?? 0);
  return n | (1n << 40n);
}

/**
 * The installation's node ID as a decimal string: the persisted value when valid, else computed. The
 * caller persists a newly computed value in settings.installationNodeId.
 */
export function installationNodeId(
  settings: Readonly<{ installationNodeId?: unknown }>,
  interfaces: InterfaceList = networkInterfaces(),
  random?: (n: number) => Uint8Array,
): string {
  const stored = settings.installationNodeId;
  if (typeof stored === "string" && /^\d+$/.test(stored)) return stored;
  return (primaryMac(interfaces) ?? randomNodeId(random)).toString(10);
}
