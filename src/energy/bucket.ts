/**
 * Means of generation and consumption over one history bucket (controller.md §22). Pure: the runtime
 * adds a sample at each evaluation and takes the means at each 5-minute boundary. The chargers' power of
 * the snapshot is `chargerLoadW(mean amps, electrical, config)` from electrical.ts.
 */
import type { SummedReadings } from "./staleness.ts";

/** Bucket means; null when no fresh reading was sampled in the bucket. */
export interface BucketMeans {
  generationW: number | null;
  consumptionW: number | null;
  samples: number;
}

/** Accumulates the fresh samples of one bucket. */
export class EnergyBucket {
  private gen = 0;
  private cons = 0;
  private n = 0;

  /** Adds a sample when at least one source had a fresh reading (stale-only or source-less samples are skipped). */
  add(r: Pick<SummedReadings, "generationW" | "consumptionW" | "health">): void {
    if (!r.health.some((h) => h.usable)) return;
    this.gen += r.generationW;
    this.cons += r.consumptionW;
    this.n++;
  }

  /** Returns the means and starts a new bucket. */
  take(): BucketMeans {
    const out: BucketMeans =
      this.n === 0
        ? { generationW: null, consumptionW: null, samples: 0 }
        : { generationW: this.gen / this.n, consumptionW: this.cons / this.n, samples: this.n };
    this.gen = 0;
    this.cons = 0;
    this.n = 0;
    return out;
  }
}
