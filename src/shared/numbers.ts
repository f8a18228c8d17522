/** Number helpers shared by the pure layers. */

/** `x` rounded to two decimals without binary artefacts (Math.round(x×100)/100); non-finite → 0. */
export function round2(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const r = Math.round(x * 100) / 100;
  const clean = Number(r.toFixed(2));
  return Object.is(clean, -0) ? 0 : clean;
}
