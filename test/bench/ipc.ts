/** Messages between the benchmark runner and its child servers. */

/** Runner → child. */
export type BenchRequest =
  { type: "resetHeartbeats" } | { type: "heartbeats" } | { type: "rss" } | { type: "cpu" } | { type: "stop" };

/** Child → runner. */
export type BenchReply =
  | { type: "ready"; port: number }
  | { type: "ok" }
  /** Heartbeat send times (ms) and the event-loop delay (ms) since the last reset. */
  | { type: "heartbeats"; times: number[]; loopDelayP99: number; loopDelayMax: number }
  | { type: "rss"; bytes: number }
  /** CPU time (user + system) used by the child so far, in µs. */
  | { type: "cpu"; micros: number };
