/** A fake socket for unit tests of the connection guard and wire-rules.ts's answerAndClose. */
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";

/** Just what the guard and answerAndClose use of a socket: what was written, ended and destroyed. */
export class FakeSocket extends EventEmitter {
  written = "";
  ended = false;
  destroyed = false;
  writable = true;
  _httpMessage: ServerResponse | null = null;
  /** Records `data` and ends the socket. */
  end(data?: string, cb?: () => void): void {
    if (typeof data === "string") this.written += data;
    this.ended = true;
    this.writable = false;
    cb?.();
  }
  /** Destroys the socket and emits `close`. */
  destroy(): void {
    this.destroyed = true;
    this.writable = false;
    this.emit("close");
  }
}
