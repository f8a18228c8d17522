/** Messages between the benchmark runner and its child servers. */

/** Runner → child. */
export type BenchRequest = { type: "resetHeartbeats" } | { type: "heartbeats" } | { type: "rss" } | { type: "stop" };

/** Child → runner. */
export type BenchReply =
  | { type: "ready"; port: number }
  | { type: "ok" }
  | { type: "heartbeats"; times: number[] }
  | { type: "rss"; bytes: number };
