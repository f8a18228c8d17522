/**
 * The byte-stream contract every bus interface offers (design.md §6): serial, TCP and the simulator.
 * The controller never knows which one it has.
 */

/** Listener set of an open port. */
export interface BusPortEvents {
  /** Bytes arrived from the bus. */
  data: (bytes: Uint8Array) => void;
  /** The port closed (error or remote end gone); `error` is set when it failed. */
  close: (error?: Error) => void;
}

/** An open bus connection: bytes in, bytes out, close events. */
export interface BusPort {
  /** Writes bytes; resolves when handed to the OS (or the simulator). Rejects on a write error. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the port; resolves when closed. Idempotent. Emits `close` without an error. */
  close(): Promise<void>;
  /**
   * Optional: closes at once, discarding bytes the OS still holds for sending (TCP: reset instead of a
   * graceful close, so a stalled bridge never receives them later). Falls back to close() when absent.
   */
  abort?(): Promise<void>;
  /** Registers a listener. */
  on<E extends keyof BusPortEvents>(event: E, listener: BusPortEvents[E]): void;
}

/** Opens ports of one kind; `describe` is the endpoint for logs and the state document. */
export interface BusBinding {
  /** "RS485" (serial, socket://, rfc2217://) | "TCP" (client or listening) | "Dummy". */
  readonly interfaceName: "RS485" | "TCP" | "Dummy";
  /** Device path or host:port; null for the simulator. */
  readonly endpoint: string | null;
  /**
   * True when the OS may hold many seconds of our writes without the write completing late (TCP: the
   * kernel's buffers take kilobytes while the bridge reads nothing), so a stall shows only as silence.
   */
  readonly buffered?: boolean;
  /**
   * Opens a new port; rejects with TwcError TRANSPORT_OPEN_FAILED (open-error.ts: context `path` or
   * `endpoint`, `reason`, `errno`).
   */
  open(): Promise<BusPort>;
  /**
   * Optional: releases what the binding holds between opens (TCP listen: the listening socket) and
   * rejects an open() still waiting. A later open() acquires it again.
   */
  close?(): Promise<void>;
}
