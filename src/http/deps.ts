/**
 * What the HTTP layer needs from the rest of the product: createApp (http/app.ts) takes it and hands it
 * to the route modules (v2/routes.ts, pages.ts, security/register.ts), which import it from here.
 */
import type { FastifyBaseLogger } from "fastify";
import type { HttpConfig } from "../config/app-config.ts";
import type { Commands } from "../engine/commands.ts";
import type { SourceTester } from "../energy/source-test.ts";
import type { Clock } from "../shared/clock.ts";
import type { HistoryReader } from "../history/history-db.ts";
import type { LogSource } from "../log/ring.ts";
import type { StateStore } from "../state/store.ts";
import type { LegacyViews } from "./legacy/routes.ts";
import type { MetricsSources } from "./metrics.ts";

/** What the HTTP layer needs from the rest of the product. */
export interface HttpDeps {
  logger: FastifyBaseLogger;
  views: LegacyViews;
  commands: Commands;
  maxBodyBytes?: number;
  /** The one state stream (v2, SSE, metrics). */
  state: StateStore;
  /** control.HTTP (null: defaults, no auth). */
  httpConfig: HttpConfig | null;
  /** config.json as loaded (for getConfig). */
  rawConfig: Readonly<Record<string, unknown>>;
  /** Served over TLS (Secure cookies, redirect scheme). */
  tls: boolean;
  /** Time source of sessions and the login throttle (default: the system clock). */
  clock?: Clock;
  /** The bundled web UI folder (default dist/web/; tests point it elsewhere). */
  webRoot?: string;
  /** IANA time zone of the ISO times in v2 documents (default: the process's zone). */
  timeZone?: string;
  /** History buckets and charge sessions (getHistory, /api/v2/history, /api/v2/sessions). */
  history?: HistoryReader;
  /** The recent log records (/api/v2/logs, the Logs page; null or absent: none). */
  logs?: LogSource | null;
  /** Bus, settings and policy counters for /metrics. */
  metrics?: MetricsSources;
  /** "Test this source" (POST /api/v2/sources/{name}/test; absent: every name answers 404). */
  sourceTests?: SourceTester;
}
