/**
 * Node's header and whole-request timeouts (http-api.md §2.2) are enforced by a `setInterval` that every
 * HTTP server runs from `listen()` on, whether or not a connection is open: with the 250 ms interval the
 * product needs (wire-rules.ts), four wake-ups a second of an idle controller (issue 9 §7). This takes
 * the interval over and runs Node's own check only while the server has a connection, so an idle
 * process sleeps. Where Node keeps the interval under another name, nothing is taken over and Node's
 * interval stays (correct, just not idle).
 */
import type { Server } from "node:http";
import { every, type Clock } from "../shared/clock.ts";

/** The description of the symbol under which Node 20–24 keep the interval (lib/_http_server.js). */
const NODE_INTERVAL_SYMBOL = "http.server.connectionsCheckingInterval";

type NodeInterval = { _onTimeout?: unknown; _idleTimeout?: unknown };

/** Runs a server's connections check only while connections are open. */
export class ConnectionsCheck {
  private check: (() => void) | null = null;
  private intervalMs = 0;
  private stop: (() => void) | null = null;

  constructor(
    private readonly server: Server,
    private readonly clock: Clock,
  ) {
    // Node starts its interval on 'listening' (a listener added when the server was created, so it runs
    // before this one).
    if (server.listening) this.takeOver();
    else server.on("listening", () => this.takeOver());
  }

  /** True when Node's interval was taken over (the check runs only while connections are open). */
  get active(): boolean {
    return this.check !== null;
  }

  /** The number of open connections changed. */
  connections(open: number): void {
    if (!this.check) return;
    if (open > 0 && !this.stop) this.stop = every(this.clock, this.intervalMs, this.check);
    else if (open === 0 && this.stop) {
      this.stop();
      this.stop = null;
    }
  }

  private takeOver(): void {
    const sym = Object.getOwnPropertySymbols(this.server).find((s) => s.description === NODE_INTERVAL_SYMBOL);
    const timer = sym ? ((this.server as unknown as Record<symbol, unknown>)[sym] as NodeInterval | undefined) : undefined;
    if (!timer || typeof timer._onTimeout !== "function" || typeof timer._idleTimeout !== "number") return;
    this.check = timer._onTimeout as (this: void) => void; // Node's checkConnections, bound to the server
    this.intervalMs = timer._idleTimeout;
    clearInterval(timer as unknown as NodeJS.Timeout);
  }
}
