/**
 * TeslaMate's encrypted token columns (vehicles.md §5.2, *TeslaMate/Cloak*): `type (1) ‖ tag length n
 * (1) ‖ key tag (n, "AES.GCM.V1") ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext`, AES-256-GCM with key =
 * SHA-256(ENCRYPTION_KEY). Cloak authenticates with the fixed AAD "AES256GCM"; upstream TWCManager
 * passes the key tag, so that is tried second. The value may arrive base64-encoded or raw. Pure.
 */
import { createDecipheriv, createHash } from "node:crypto";

/** Cloak's associated data for AES.GCM. */
export const CLOAK_AAD = "AES256GCM";

/** The AES key TeslaMate derives from its ENCRYPTION_KEY. */
export function cloakKey(encryptionKey: string): Buffer {
  return createHash("sha256").update(encryptionKey, "utf8").digest();
}

function tryDecrypt(blob: Buffer, key: Buffer): string | null {
  if (blob.length < 2) return null;
  const n = blob[1]!;
  const start = 2 + n;
  if (blob.length < start + 12 + 16) return null;
  const tag = blob.subarray(2, start);
  const iv = blob.subarray(start, start + 12);
  const gcmTag = blob.subarray(start + 12, start + 28);
  const ciphertext = blob.subarray(start + 28);
  for (const aad of [Buffer.from(CLOAK_AAD, "utf8"), tag]) {
    try {
      const d = createDecipheriv("aes-256-gcm", key, iv);
      d.setAAD(aad);
      d.setAuthTag(gcmTag);
      return Buffer.concat([d.update(ciphertext), d.final()]).toString("utf8");
    } catch {
      // wrong AAD (or key): try the next one
    }
  }
  return null;
}

/** The value's base64 decoding (padding fixed) when it looks like base64, else null. */
function base64Of(value: Buffer): Buffer | null {
  const text = value.toString("latin1").trim();
  if (text.length < 8 || !/^[A-Za-z0-9+/_-]+=*$/.test(text)) return null;
  const bare = text.replace(/=+$/, "");
  return Buffer.from(bare + "=".repeat((4 - (bare.length % 4)) % 4), "base64");
}

/** Decrypts one token column; null when it does not decrypt with this key (either AAD, base64 or raw). */
export function decryptCloak(value: Buffer | string, encryptionKey: string): string | null {
  const raw = typeof value === "string" ? Buffer.from(value, "latin1") : value;
  const key = cloakKey(encryptionKey);
  const b64 = base64Of(raw);
  return (b64 ? tryDecrypt(b64, key) : null) ?? tryDecrypt(raw, key);
}
