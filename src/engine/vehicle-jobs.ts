/**
 * The charging logic's work queue for the cars (vehicles.md §1.4): one job at a time, asynchronous, so
 * nothing waits for a car (not the bus, the policy timer or HTTP). Jobs of the same key coalesce while
 * they wait — the latest parameters win, in the first one's place (a pending start replaced by a stop
 * keeps only the stop, §3.1) — and a waiting job can be cancelled. A job that throws is logged; nothing
 * is ever thrown to the caller.
 */
import type { ControllerLogger } from "../bus/controller-types.ts";

/** One waiting job. */
interface Job {
  /** What it is (e.g. "stop", "start"), for cancellation by kind. */
  tag: string;
  run: () => Promise<void>;
}

/** A serial, coalescing queue of vehicle jobs. */
export class VehicleJobs {
  private readonly waiting = new Map<string, Job>();
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly log: ControllerLogger) {}

  /** Queues `run` under `key`; a job waiting under the same key is replaced. */
  enqueue(key: string, tag: string, run: () => Promise<void>): void {
    if (this.stopped) return;
    this.waiting.set(key, { tag, run });
    this.pump();
  }

  /** Drops the job waiting under `key` (only when its tag is `tag`, if given); true when one was dropped. */
  cancel(key: string, tag?: string): boolean {
    const job = this.waiting.get(key);
    if (!job || (tag !== undefined && job.tag !== tag)) return false;
    return this.waiting.delete(key);
  }

  /** The keys of the waiting jobs, in run order. */
  pending(): string[] {
    return [...this.waiting.keys()];
  }

  /** Resolves once nothing is waiting or running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops every waiting job and accepts no more; the running one finishes. */
  stop(): void {
    this.stopped = true;
    this.waiting.clear();
  }

  private pump(): void {
    if (this.running) return;
    const next = this.waiting.entries().next();
    if (next.done === true) return;
    const [key, job] = next.value;
    this.waiting.delete(key);
    this.running = (async () => {
      try {
        await job.run();
      } catch (err) {
        this.log.error({ code: "VEHICLE_JOB_FAILED", job: key, err }, `vehicle job ${key} failed`);
      }
    })().finally(() => {
      this.running = null;
      this.pump();
    });
  }
}
