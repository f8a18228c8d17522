/** Frame checksum (twc-protocol.md §2). */

/** Sum of payload bytes 1..end (byte 0 excluded), masked to 8 bits. */
export function checksum(payload: Uint8Array): number {
  let sum = 0;
  for (let i = 1; i < payload.length; i++) sum += payload[i] ?? 0;
  return sum & 0xff;
}

/** True when the last byte of `body` (payload ‖ checksum) is the checksum of the bytes before it. */
export function checksumOk(body: Uint8Array): boolean {
  if (body.length < 1) return false;
  return checksum(body.subarray(0, body.length - 1)) === body[body.length - 1];
}
