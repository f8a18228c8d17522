/**
 * The receive state machine of twc-protocol.md §2.2: raw bytes in, decoded frames and counted drops
 * out, in order. Chunk-size independent (bytes are processed one at a time), never throws, pure (time
 * is passed in).
 *
 *   byte ──► timeout? ──► buf empty & not C0 → noise
 *                      ├► C0 with 1 ≤ len(buf) ≤ 14 → drop "truncated", restart
 *                      └► append ──► len ≥ 16 & C0 → unescape ─► length ─► checksum ─► decode
 */
import { checksumOk } from "./checksum.ts";
import { decodeBody } from "./codec.ts";
import { C0 } from "./constants.ts";
import type { DeframeResult, DropReason } from "./frames.ts";
import { unescape } from "./slip.ts";

/** Unescaped lengths accepted in master, monitor and fake-slave modes. */
export const MASTER_LENGTHS = [14, 16, 20] as const;
/** Unescaped lengths accepted by a simulated slave (our 15-byte kWh/VIN requests included). */
export const SIM_SLAVE_LENGTHS = [14, 15, 16, 20] as const;
/** Default partial-frame timeout (ms). */
export const PARTIAL_TIMEOUT_MS = 2000;
/** Raw bytes kept per frame; longer frames are still delimited exactly, dropped as "length" with raw cut here. */
const MAX_KEPT = 512;

/** Receive counters, all monotonically increasing. */
export interface DeframerStats {
  bytesReceived: number;
  noiseBytes: number;
  framesReceived: number;
  dropped: Record<DropReason, number>;
}

/** Deframer options. */
export interface DeframerOptions {
  acceptedLengths: readonly number[];
  partialTimeoutMs?: number;
}

/**
 * Bytes → frames. Decoded results carry `raw` = the unescaped body incl. checksum; dropped results carry
 * `raw` = the wire bytes of the dropped frame as received, from its opening C0 (incl. the closing C0 when
 * there was one).
 */
export class Deframer {
  readonly #accepted: ReadonlySet<number>;
  readonly #timeoutMs: number;
  #buf = new Uint8Array(MAX_KEPT);
  #len = 0;
  #lastByteAt = Number.NEGATIVE_INFINITY;
  readonly #stats: DeframerStats = {
    bytesReceived: 0,
    noiseBytes: 0,
    framesReceived: 0,
    dropped: { checksum: 0, length: 0, escape: 0, timeout: 0, truncated: 0 },
  };

  /** Creates a deframer accepting the given unescaped lengths. */
  constructor(opts: DeframerOptions) {
    this.#accepted = new Set(opts.acceptedLengths);
    this.#timeoutMs = opts.partialTimeoutMs ?? PARTIAL_TIMEOUT_MS;
  }

  /** Counters (a snapshot). */
  get stats(): Readonly<DeframerStats> {
    return { ...this.#stats, dropped: { ...this.#stats.dropped } };
  }

  /** True while a partial frame is buffered. */
  get receiving(): boolean {
    return this.#len > 0;
  }

  /** Time of the last byte appended to the current frame (−Infinity before the first). */
  get lastByteAt(): number {
    return this.#lastByteAt;
  }

  /** Processes bytes received at `nowMs`; returns every completed or dropped frame in order. */
  push(bytes: Uint8Array, nowMs: number): DeframeResult[] {
    const out: DeframeResult[] = [];
    for (const b of bytes) this.#byte(b, nowMs, out);
    return out;
  }

  /** Drops a stale partial frame (reason "timeout") when more than the timeout has passed since its last byte. */
  expire(nowMs: number): DeframeResult[] {
    const out: DeframeResult[] = [];
    this.#checkTimeout(nowMs, out);
    return out;
  }

  #checkTimeout(nowMs: number, out: DeframeResult[]): void {
    if (this.#len > 0 && nowMs - this.#lastByteAt > this.#timeoutMs) this.#drop("timeout", out);
  }

  #byte(b: number, nowMs: number, out: DeframeResult[]): void {
    this.#stats.bytesReceived++;
    this.#checkTimeout(nowMs, out);
    if (this.#len === 0 && b !== C0) {
      this.#stats.noiseBytes++;
      return;
    }
    if (this.#len >= 1 && this.#len <= 14 && b === C0) {
      this.#drop("truncated", out);
    }
    if (this.#len < MAX_KEPT) this.#buf[this.#len] = b;
    this.#len++;
    this.#lastByteAt = nowMs;
    if (this.#len >= 16 && b === C0) this.#complete(out);
  }

  #raw(): Uint8Array {
    return this.#buf.slice(0, Math.min(this.#len, MAX_KEPT));
  }

  #drop(reason: DropReason, out: DeframeResult[]): void {
    out.push({ ok: false, reason, raw: this.#raw() });
    this.#stats.dropped[reason]++;
    this.#len = 0;
  }

  #complete(out: DeframeResult[]): void {
    if (this.#len > MAX_KEPT) {
      this.#drop("length", out);
      return;
    }
    const un = unescape(this.#buf.subarray(1, this.#len - 1));
    if (!un.ok) return this.#drop("escape", out);
    if (!this.#accepted.has(un.body.length)) return this.#drop("length", out);
    if (!checksumOk(un.body)) return this.#drop("checksum", out);
    this.#len = 0;
    this.#stats.framesReceived++;
    out.push({ ok: true, frame: decodeBody(un.body), raw: un.body });
  }
}
