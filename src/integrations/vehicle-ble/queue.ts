/**
 * One serial work queue (vehicles.md §1.4): jobs run one after another; a job queued while another of
 * the same kind still waits replaces that one's work (latest parameters win) and shares its result.
 */

interface Job {
  key: string;
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
  started: boolean;
  promise: Promise<unknown>;
}

/** A serial queue whose waiting jobs coalesce by kind. */
export class SerialQueue {
  private readonly waiting: Job[] = [];
  private running = false;

  /** Queues `run` under `key`; a waiting job with the same key takes `run` instead and both callers get its result. */
  push<T>(key: string, run: () => Promise<T>): Promise<T> {
    const same = this.waiting.find((j) => j.key === key && !j.started);
    if (same) {
      same.run = run;
      return same.promise as Promise<T>;
    }
    let resolve!: (v: unknown) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting.push({ key, run, resolve, reject, started: false, promise });
    void this.drain();
    return promise as Promise<T>;
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const job = this.waiting.shift();
        if (!job) break;
        job.started = true;
        try {
          job.resolve(await job.run());
        } catch (err) {
          job.reject(err); // the caller's to handle; the queue goes on
        }
      }
    } finally {
      this.running = false;
    }
  }
}
