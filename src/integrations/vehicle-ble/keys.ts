/**
 * The BLE key of a car (vehicles.md §4.2): an EC P-256 key per VIN kept in `settings.Vehicles[VIN]`
 * as `privKey` (base64 of the PKCS#8 PEM), `pubKey` (base64 of the 65-byte uncompressed point) and
 * `pubKeyPEM` (base64 of the SubjectPublicKeyInfo PEM). Pure apart from the key generation.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

/** The three settings sub-keys. */
export interface BleKeys {
  privKey: string;
  pubKey: string;
  pubKeyPEM: string;
}

/** The VIN TWCs report for non-Tesla cars: never a BLE car. */
export const NON_TESLA_VIN = "00000000000000000";

const b64 = (s: string | Buffer): string => (typeof s === "string" ? Buffer.from(s, "utf8") : s).toString("base64");

/** The 65-byte uncompressed point (0x04 ‖ X ‖ Y) of a public key given as a JWK. */
function uncompressedPoint(jwk: { x?: string; y?: string }): Buffer {
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? "", "base64url"), Buffer.from(jwk.y ?? "", "base64url")]);
}

/** A fresh key pair in the settings format. */
export function generateBleKeys(): BleKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const privPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const pubPem = publicKey.export({ type: "spki", format: "pem" }) as string;
  return { privKey: b64(privPem), pubKey: b64(uncompressedPoint(publicKey.export({ format: "jwk" }))), pubKeyPEM: b64(pubPem) };
}

function decoded(entry: unknown, key: "privKey" | "pubKeyPEM"): string | null {
  if (typeof entry !== "object" || entry === null) return null;
  const v = (entry as Record<string, unknown>)[key];
  if (typeof v !== "string" || v === "") return null;
  const pem = Buffer.from(v, "base64").toString("utf8");
  return /-----BEGIN [A-Z ]+-----/.test(pem) ? pem : null;
}

/** The private PEM of a `settings.Vehicles` entry, null when absent or not a key. */
export function privatePem(entry: unknown): string | null {
  const pem = decoded(entry, "privKey");
  if (pem === null) return null;
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    return null;
  }
}

/** The public PEM of an entry (pairing), null when absent or not a key. */
export function publicPem(entry: unknown): string | null {
  const pem = decoded(entry, "pubKeyPEM");
  if (pem === null) return null;
  try {
    createPublicKey(pem);
    return pem;
  } catch {
    return null;
  }
}

/** True for a key of `settings.Vehicles` that is a BLE car (17 characters, not the non-Tesla VIN). */
export function isBleVin(vin: string): boolean {
  return /^[A-HJ-NPR-Z0-9]{17}$/i.test(vin) && vin !== NON_TESLA_VIN;
}
