/**
 * What every vehicle module tells the rest of the product besides its cars: "something changed"
 * listeners and its raised alerts (code, message naming the fix, since when). One copy for the Fleet API
 * and BLE modules.
 */

/** A raised alert of a vehicle module. */
export interface RaisedAlert<C extends string> {
  code: C;
  message: string;
  sinceMs: number;
}

/** Change listeners and raised alerts of one module. */
export class VehicleNotices<C extends string> {
  private readonly listeners = new Set<() => void>();
  private readonly raised = new Map<C, RaisedAlert<C>>();

  constructor(
    private readonly logger: { error(obj: object, msg: string): void },
    private readonly nowMs: () => number,
  ) {}

  /** Calls every listener; a throwing one is logged, never propagated. */
  changed(): void {
    for (const cb of this.listeners) {
      try {
        cb();
      } catch (err) {
        this.logger.error({ err }, "a vehicle change listener threw");
      }
    }
  }

  /** Subscribes to changes; returns an unsubscribe function. */
  on(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Raises (or updates the message of) `code`, or clears it; listeners hear of a real change only. */
  alert(code: C, on: boolean, message = ""): void {
    const prev = this.raised.get(code);
    if (on && prev?.message !== message) this.raised.set(code, { code, message, sinceMs: prev?.sinceMs ?? this.nowMs() });
    else if (!on && prev) this.raised.delete(code);
    else return;
    this.changed();
  }

  /** The raised alert of `code`, if any. */
  get(code: C): RaisedAlert<C> | undefined {
    return this.raised.get(code);
  }

  /** Every raised alert. */
  alerts(): RaisedAlert<C>[] {
    return [...this.raised.values()];
  }
}
