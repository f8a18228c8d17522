/**
 * The security hooks of the HTTP layer (http-api.md §3, §4.1; design.md §12), as fastify onRequest hooks
 * in this order: Host allow-list (before the route lookup matters, so also for unknown paths), then —
 * for known routes only — authentication, then the Origin check. Also registers /login and /logout.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { HttpConfig } from "../../config/app-config.ts";
import { systemClock, type Clock } from "../../shared/clock.ts";
import { sendHtml, simplePage } from "../pages.ts";
import { sendError } from "../reply.ts";
import { Authenticator, authEnabled } from "./auth.ts";
import { hostAllowed } from "./hosts.ts";
import { registerLoginRoutes } from "./login.ts";
import { normaliseOrigins, originAllowed } from "./origin.ts";

/** What registerSecurity needs (structurally satisfied by HttpDeps). */
export interface SecurityOptions {
  httpConfig: HttpConfig | null;
  /** Served over TLS (Secure cookies; default port 443 for the Origin check). */
  tls: boolean;
  clock?: Clock | undefined;
}

/** What a route requires: nothing, credentials always, or credentials only with protectReads. */
type Requirement = "none" | "always" | "reads";

const READ_METHODS = new Set(["GET", "HEAD"]);

/** True for paths whose errors are JSON (`/api/*`, `/metrics`). */
export function isApiOrMetrics(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path === "/metrics";
}

/** The request path without query, duplicate slashes collapsed. */
function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return (q >= 0 ? url.slice(0, q) : url).replace(/\/{2,}/g, "/");
}

/** The §3.1 table, by route pattern and method. */
export function requirementOf(method: string, routePath: string): Requirement {
  const m = method.toUpperCase();
  if (
    routePath === "/static/*" ||
    routePath.startsWith("/static/") ||
    routePath === "/login" ||
    routePath === "/logout"
  ) {
    return "none";
  }
  if (m === "OPTIONS") return "none";
  // vehicles.md §8.1: the one GET that changes state (it creates the pending Tesla login).
  if (routePath === "/teslaAccount/login") return "always";
  return READ_METHODS.has(m) ? "reads" : "always";
}

/**
 * True when the route lookup already decided the answer (404, or the 405/OPTIONS answers the not-found
 * handler gives for known paths): those come before authentication and the Origin check (§4.1).
 */
function lookupFailed(request: FastifyRequest): boolean {
  return request.is404;
}

/** Registers the host, auth and origin hooks and the login routes; returns the authenticator (null: auth off). */
export function registerSecurity(app: FastifyInstance, opts: SecurityOptions): Authenticator | null {
  const cfg = opts.httpConfig;
  const allowedHosts = cfg?.allowedHosts ?? [];
  const allowedOrigins = normaliseOrigins(cfg?.allowedOrigins ?? []);
  const authConfig = cfg?.auth ?? null;
  const auth = authEnabled(authConfig) ? new Authenticator(authConfig, opts.clock ?? systemClock) : null;
  const protectReads = authConfig?.protectReads === true;

  // Callback hooks (not async) where nothing is awaited: one promise less per request
  // (docs/performance.md). A hook that answers does not call done().
  if (allowedHosts.length > 0) {
    app.addHook("onRequest", (request, reply, done) => {
      if (hostAllowed(request.headers.host, allowedHosts)) return done();
      request.log.info({ code: "HTTP_FORBIDDEN", host: request.headers.host ?? null }, "Host not allowed");
      if (isApiOrMetrics(pathOf(request.url))) sendError(reply, 403, "Host not allowed");
      else sendHtml(reply, 403, simplePage("Host not allowed", "<h1>Host not allowed</h1>"));
    });
  }

  if (auth) {
    app.addHook("onRequest", async (request, reply) => {
      if (lookupFailed(request)) return;
      const routePath = request.routeOptions.url ?? pathOf(request.url);
      const need = requirementOf(request.method, routePath);
      if (need === "none" || (need === "reads" && !protectReads)) return;
      const outcome = await auth.check({
        authorization: request.headers.authorization,
        cookie: request.headers.cookie,
        address: request.ip,
      });
      const api = isApiOrMetrics(routePath);
      switch (outcome.kind) {
        case "ok":
          return;
        case "throttled":
          return sendError(
            reply.header("Retry-After", String(outcome.retryAfterS)),
            429,
            "Too many failed attempts",
          );
        case "invalid":
          request.log.info({ code: "HTTP_UNAUTHORIZED", address: request.ip }, "invalid credentials");
          return sendError(
            reply.header("WWW-Authenticate", 'Bearer realm="TWCManager"'),
            401,
            "Invalid credentials",
          );
        case "missing":
          if (!api && READ_METHODS.has(request.method) && auth.hasLogin) {
            const target =
              pathOf(request.url) +
              (request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "");
            return reply
              .code(303)
              .header("Location", `/login?next=${encodeURIComponent(target)}`)
              .header("Cache-Control", "no-store")
              .send();
          }
          return sendError(
            reply.header("WWW-Authenticate", 'Bearer realm="TWCManager"'),
            401,
            "Authentication required",
          );
      }
    });
  }

  app.addHook("onRequest", (request, reply, done) => {
    if (lookupFailed(request)) return done();
    const ok = originAllowed(
      { method: request.method, origin: request.headers.origin, host: request.headers.host, tls: opts.tls },
      allowedOrigins,
    );
    if (ok) return done();
    request.log.info(
      { code: "HTTP_FORBIDDEN", origin: request.headers.origin ?? null },
      "cross-origin request refused",
    );
    sendError(reply, 403, "Cross-origin request refused");
  });

  if (auth?.hasLogin) registerLoginRoutes(app, auth, opts.tls);
  return auth;
}
