/**
 * Shared shell of the polled HTTP sources (URL, HASS): a poll at start and then every `pollIntervalS` on
 * the injected clock (never overlapping), per-request timeouts on the clock, "a failed fetch keeps the
 * previous reading and its timestamp", negated negative generation and a throttled warning.
 */
import { every } from "../shared/clock.ts";
import { withUrlCredentials } from "../shared/url-credentials.ts";
import { traceExchange } from "./source-trace.ts";
import type { Clock } from "../shared/clock.ts";
import type { EnergySource, EnergySourceName, Reading, SourceDeps } from "./source.ts";
import { ReadingSource, WarnThrottle, errorMessage } from "./source.ts";

/** Default poll interval (s). */
export const DEFAULT_POLL_INTERVAL_S = 10;
/** Request timeout (ms). */
export const REQUEST_TIMEOUT_MS = 2000;

/** Values of one successful poll. */
export type PolledValues = Omit<Reading, "at">;

/** The fetch function (injectable for tests; defaults to the global fetch). */
export type FetchFn = typeof fetch;

/** A failure with a short, user-facing message (shown as the source's `error`). */
export class SourceFetchError extends Error {
  override readonly name = "SourceFetchError";
}

/** Options of {@link fetchWithTimeout}. */
export interface TimeoutFetchOptions {
  clock: Clock;
  timeoutMs: number;
  /** Aborts the request early (source stopped). */
  signal?: AbortSignal;
  fetchImpl?: FetchFn;
}

/** GETs `url` and returns status and body text; the timeout (on the clock) covers headers and body. */
export async function fetchWithTimeout(
  url: string,
  init: RequestInit,
  o: TimeoutFetchOptions,
): Promise<{ status: number; body: string }> {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = o.clock.setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, o.timeoutMs);
  const onStop = (): void => ctl.abort();
  if (o.signal?.aborted === true) ctl.abort();
  o.signal?.addEventListener("abort", onStop);
  try {
    const target = withUrlCredentials(url, { ...init, signal: ctl.signal });
    const res = await (o.fetchImpl ?? fetch)(target.url, target.init);
    const body = await res.text();
    traceExchange(`${init.method ?? "GET"} ${url}`, res.status, body);
    return { status: res.status, body };
  } catch (err) {
    const failure = timedOut
      ? new SourceFetchError(`timeout after ${o.timeoutMs} ms`)
      : o.signal?.aborted === true
        ? new SourceFetchError("stopped")
        : err instanceof SourceFetchError
          ? err // already a user-facing message (e.g. a device's caFile that cannot be read)
          : new SourceFetchError(`request failed: ${errorMessage(err)}`);
    traceExchange(`${init.method ?? "GET"} ${url}`, null, "", failure.message);
    throw failure;
  } finally {
    o.clock.clearTimeout(timer);
    o.signal?.removeEventListener("abort", onStop);
  }
}

/** Performs one poll; throws (preferably a SourceFetchError) on failure. */
export type PollFn = (signal: AbortSignal) => Promise<PolledValues>;

/** An EnergySource driven by a poll function. */
export class PollingSource extends ReadingSource implements EnergySource {
  private stopTimer: (() => void) | null = null;
  private inFlight: Promise<void> | null = null;
  private stopCtl = new AbortController();
  private readonly throttle: WarnThrottle;
  private readsOk = 0;
  private readsFailed = 0;

  constructor(
    readonly name: EnergySourceName,
    private readonly deps: SourceDeps,
    private readonly pollIntervalS: number,
    private readonly pollOnce: PollFn,
  ) {
    super(deps.logger);
    this.throttle = new WarnThrottle(deps.clock, deps.logger);
  }

  start(): void {
    if (this.stopTimer) return;
    this.stopCtl = new AbortController();
    const ms = Math.max(1, this.pollIntervalS) * 1000;
    this.stopTimer = every(this.deps.clock, ms, () => this.poll());
    this.poll();
  }

  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = null;
    this.stopCtl.abort();
    await this.inFlight;
  }

  /** Starts one poll unless one is still running (exposed for tests). */
  poll(): void {
    if (this.inFlight) return;
    this.inFlight = this.runPoll().finally(() => {
      this.inFlight = null;
    });
  }

  /** Reads that succeeded and that failed since creation (for `/metrics` and the state document). */
  readCounts(): { ok: number; failed: number } {
    return { ok: this.readsOk, failed: this.readsFailed };
  }

  /** Resolves when the running poll (if any) has finished. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  private async runPoll(): Promise<void> {
    const signal = this.stopCtl.signal;
    try {
      const v = await this.pollOnce(signal);
      if (signal.aborted) return;
      const reading: Reading = {
        generationW: Math.abs(v.generationW),
        consumptionW: v.consumptionW,
        ...(v.consumptionA !== undefined ? { consumptionA: v.consumptionA } : {}),
        at: this.deps.clock.now(),
      };
      this.deps.logger.debug({ source: this.name, ...reading }, "energy reading");
      this.readsOk++;
      this.publish(reading);
    } catch (err) {
      if (signal.aborted) return;
      this.readsFailed++;
      this.error = errorMessage(err);
      this.throttle.fail(
        { source: this.name, error: this.error },
        `${this.name} energy source: fetch failed (previous reading kept)`,
      );
    }
  }
}

/** Runs both fetches (null → 0, not fetched) to completion; throws the first failure. */
export async function bothValues(
  gen: (() => Promise<number>) | null,
  cons: (() => Promise<number>) | null,
): Promise<[number, number]> {
  const [g, c] = await Promise.allSettled([
    gen ? gen() : Promise.resolve(0),
    cons ? cons() : Promise.resolve(0),
  ]);
  if (g.status === "rejected") throw g.reason;
  if (c.status === "rejected") throw c.reason;
  return [g.value, c.value];
}
