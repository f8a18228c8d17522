/**
 * scrypt password hashes for control.HTTP.auth (http-api.md §3.1):
 * `scrypt:<N>:<r>:<p>:<salt b64>:<hash b64>`, produced by `twcmanager hash-password`.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";

const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, KEY_LEN, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string, n = 16384, r = 8, p = 1): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, n, r, p);
  return `scrypt:${n}:${r}:${p}:${salt.toString("base64")}:${key.toString("base64")}`;
}

/** A parsed hash, or null when the text is not a valid scrypt hash. */
export function parsePasswordHash(
  text: string,
): { n: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const m = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  if (n < 2 || (n & (n - 1)) !== 0 || n > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const key = Buffer.from(m[5]!, "base64");
  if (key.length < 16) return null;
  return { n, r, p, salt: Buffer.from(m[4]!, "base64"), key };
}

/** Verifies a password against a hash in constant time. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (!parsed) return false;
  const key = await new Promise<Buffer>((resolve, reject) => {
    scryptCb(
      password,
      parsed.salt,
      parsed.key.length,
      { N: parsed.n, r: parsed.r, p: parsed.p, maxmem: 256 * parsed.n * parsed.r + 1024 * 1024 },
      (err, k) => (err ? reject(err) : resolve(k)),
    );
  });
  return timingSafeEqual(key, parsed.key);
}
