/** Amps encoding in hundredths (twc-protocol.md §4.1). */

/** Amps → integer hundredths: floor(amps × 100 + 1e-9), clamped to 0..65535 (NaN → 0). */
export function ampsToCenti(amps: number): number {
  const h = Math.floor(amps * 100 + 1e-9);
  if (Number.isNaN(h) || h < 0) return 0;
  return Math.min(h, 0xffff);
}

/** Integer hundredths → amps. */
export function centiToAmps(c: number): number {
  return c / 100;
}
