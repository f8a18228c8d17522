/**
 * Test fixture: encrypts a token as TeslaMate (Cloak AES.GCM.V1) stores it, written from the spec
 * (vehicles.md §5.2) with node:crypto, independently of the module's decryption.
 */
import { createCipheriv, createHash, randomBytes } from "node:crypto";

/** `0x01 ‖ len ‖ "AES.GCM.V1" ‖ IV ‖ tag ‖ ciphertext`, AES-256-GCM, key SHA-256(encryptionKey), AAD `aad` (Cloak: "AES256GCM"). */
export function cloakEncrypt(plain: string, encryptionKey: string, aad = "AES256GCM"): Buffer {
  const keyTag = Buffer.from("AES.GCM.V1", "utf8");
  const key = createHash("sha256").update(encryptionKey, "utf8").digest();
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(aad === "keytag" ? keyTag : Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return Buffer.concat([Buffer.from([1, keyTag.length]), keyTag, iv, c.getAuthTag(), ciphertext]);
}
