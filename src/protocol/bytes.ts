/** Bounds-checked byte cursors over Uint8Array (design.md §5). Out-of-range access throws RangeError. */

/** Sequential reader; a read past the end throws RangeError and does not move the cursor. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #pos: number;

  /** Reads `bytes` starting at `offset`. */
  constructor(bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes;
    this.#pos = offset;
  }

  /** Current position. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return Math.max(0, this.#bytes.length - this.#pos);
  }

  /** Reads one unsigned byte. */
  u8(): number {
    this.#need(1);
    const v = this.#bytes[this.#pos] ?? 0;
    this.#pos += 1;
    return v;
  }

  /** Reads an unsigned 16-bit big-endian integer. */
  u16(): number {
    this.#need(2);
    const hi = this.u8();
    return (hi << 8) | this.u8();
  }

  /** Reads an unsigned 32-bit big-endian integer. */
  u32(): number {
    this.#need(4);
    const hi = this.u16();
    return hi * 0x10000 + this.u16();
  }

  /** Reads `n` bytes (a copy). */
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.#bytes.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.#need(n);
    this.#pos += n;
  }

  /** Reads everything that is left (a copy). */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  #need(n: number): void {
    if (!Number.isInteger(n) || n < 0 || this.#pos + n > this.#bytes.length) {
      throw new RangeError(`read of ${n} byte(s) at ${this.#pos} past end ${this.#bytes.length}`);
    }
  }
}

/** Growable writer; values out of range for their width throw RangeError. */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  /** Starts with room for `capacity` bytes (grows as needed). */
  constructor(capacity = 32) {
    this.#buf = new Uint8Array(Math.max(1, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** Writes one unsigned byte (0–255). */
  u8(v: number): this {
    checkRange(v, 0xff);
    this.#grow(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  /** Writes an unsigned 16-bit big-endian integer. */
  u16(v: number): this {
    checkRange(v, 0xffff);
    return this.u8(v >> 8).u8(v & 0xff);
  }

  /** Writes an unsigned 32-bit big-endian integer. */
  u32(v: number): this {
    checkRange(v, 0xffffffff);
    return this.u16(Math.floor(v / 0x10000)).u16(v % 0x10000);
  }

  /** Writes a byte array. */
  bytes(b: Uint8Array): this {
    this.#grow(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** Writes `n` zero bytes. */
  zeros(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`bad zero count ${n}`);
    this.#grow(n);
    this.#buf.fill(0, this.#len, this.#len + n);
    this.#len += n;
    return this;
  }

  /** Pads with zeros up to `total` bytes written (no-op when already there). */
  padTo(total: number): this {
    return total > this.#len ? this.zeros(total - this.#len) : this;
  }

  /** The bytes written (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  #grow(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

function checkRange(v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`value ${v} outside 0..${max}`);
}
