/**
 * The HTTP control of the composition root (controller.md §2): builds the fastify app, listens (a bind
 * failure is fatal), logs where, and closes it at shutdown. run.ts imports this file only when
 * control.HTTP is enabled (issue 9 §7), so an installation without HTTP never loads fastify.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { HttpConfig } from "../config/app-config.ts";
import { createApp } from "../http/app.ts";
import type { HttpDeps } from "../http/deps.ts";
import { PUBLIC_WITHOUT_AUTH_MESSAGE, publicWithoutAuth } from "../http/security/listeners.ts";
import { listen } from "../http/server.ts";
import type { Clock } from "../shared/clock.ts";
import { webUrl } from "./web-url.ts";

/** A listening HTTP control. */
export interface StartedHttp {
  app: FastifyInstance;
  port: number;
  /** The web interface's URL to open on this machine (issue 12 §3). */
  url: string;
  /** Reachable from the network without authentication (http-api §2.1): the alert's message, else null. */
  publicWarning: string | null;
}

/** Creates the app and listens; rejects with TwcError HTTP_LISTEN_FAILED. */
export async function startHttp(deps: Omit<HttpDeps, "logger" | "httpConfig">, httpConfig: HttpConfig, log: Logger): Promise<StartedHttp> {
  const app = createApp({ ...deps, logger: log.child({ module: "http" }), httpConfig });
  const r = await listen(app, {
    port: httpConfig.listenPort,
    address: httpConfig.listenAddress ?? undefined,
    tls: httpConfig.tls,
  });
  const scheme = httpConfig.tls ? "HTTPS" : "HTTP";
  log.info({ module: "http", port: r.port, address: r.address }, `${scheme} control listening on ${r.address}:${r.port}`);
  const web = webUrl(r.address === "::" && httpConfig.listenAddress === null ? null : r.address, r.port, httpConfig.tls !== null);
  log.info({ module: "http", url: web.url }, `web interface on ${web.url}${web.everyInterface ? ` (every network interface; on this machine ${web.localUrl})` : ""}`);
  if (r.redirectPort !== null) {
    log.info({ module: "http", port: r.redirectPort }, `HTTP on port ${r.redirectPort} redirects to HTTPS`);
  }
  let publicWarning: string | null = null;
  if (publicWithoutAuth(httpConfig)) {
    log.warn({ module: "http", code: "HTTP_PUBLIC_WITHOUT_AUTH" }, PUBLIC_WITHOUT_AUTH_MESSAGE);
    publicWarning = PUBLIC_WITHOUT_AUTH_MESSAGE;
  }
  return { app, port: r.port, url: web.localUrl, publicWarning };
}

/** Closes the app; a connection still busy after 3 s does not hang the exit: what is left is cut. */
export async function closeHttp(app: FastifyInstance, clock: Clock, log: Logger): Promise<void> {
  let timer: ReturnType<Clock["setTimeout"]> | null = null;
  const grace = new Promise<void>((r) => (timer = clock.setTimeout(r, 3000)));
  await Promise.race([app.close().catch((err: unknown) => log.warn({ err }, "closing HTTP failed")), grace]);
  if (timer) clock.clearTimeout(timer);
  app.server.closeAllConnections();
}
