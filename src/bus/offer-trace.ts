/**
 * What the offer algorithm (offer.ts, controller.md §6–§9) did for one slave's last heartbeat, step by
 * step, so the state document can explain the offer in words (engine/explain.ts). Recorded by
 * `computeOffer` beside the decision; it never feeds back into a decision. Pure types.
 */

/** The §9 rule that set the amps in D3, if any. */
export type SpikeRule = "none" | "spike" | "spikeMinus2" | "holdSpike" | "holdReduction";

/** The §7 wiring clamps that changed the amps (each null when it did not apply). */
export interface ClampTrace {
  /** §7 step 2: the shared wiring (wiringMaxAmpsAllTWCs) left less than asked. */
  readonly shared: { readonly fromA: number; readonly toA: number; readonly othersA: number; readonly wiringA: number } | null;
  /** §7 step 3: the per-TWC cap min(wiringMaxAmps, rating) was below what was asked. */
  readonly perTwc: { readonly fromA: number; readonly capA: number } | null;
  /** S-1/S-6: the per-TWC cap is below the minimum offer, so the slave is offered 0 A. */
  readonly minAboveWiring: { readonly capA: number; readonly minOfferA: number } | null;
}

/** One call of computeOffer, in the order of §6. Amps are the values the algorithm used. */
export interface OfferTrace {
  /** The budget or a current reading was NaN/±Infinity: offered 0 A. */
  readonly invalidInput: boolean;
  /** Effective budget M used (after the 0…wiringMaxAmpsAllTWCs guard). */
  readonly budgetA: number;
  /** F, the policy's flex amps. */
  readonly flexA: number;
  /** F / N when cars charge, else F. */
  readonly flexPerCarA: number;
  /** N, cars charging. */
  readonly carsCharging: number;
  /** Σ actual amps of the other slaves. */
  readonly othersActualA: number;
  /** A: the base share (M, or min(M − others, trunc(M / N))). */
  readonly shareA: number;
  /** max(minAmpsPerTWC, minAmpsTWCSupports) rounded up. */
  readonly minOfferA: number;
  /** The TWC's own minimum (minAmpsTWCSupports). */
  readonly minTwcA: number;
  /** B: flex lifted the share to the minimum offer. */
  readonly flexRescued: boolean;
  /** D: "belowMin" (D1) or "rate" (D3). */
  readonly branch: "belowMin" | "rate";
  /** D1 only: stop (0 A) or the TWC minimum (enough budget for every car in principle). */
  readonly belowMin: "stop" | "twcMin" | null;
  /** §9 rule applied in D3. */
  readonly spikeRule: SpikeRule;
  /** The spike amps in use (16 or 21). */
  readonly spikeA: number;
  /** F: green dampening kept a drawing car at ≥ the TWC minimum. */
  readonly dampened: boolean;
  /** The argument of setLastAmpsOffered. */
  readonly desiredA: number;
  readonly clamps: ClampTrace;
  /** The final offer. */
  readonly offeredA: number;
}
