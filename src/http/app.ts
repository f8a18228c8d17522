/**
 * createApp(deps) builds the fastify instance of the HTTP Control module (design.md §12). It never
 * listens; http/server.ts does. Every response is complete and well-formed (http-api.md §2.2, §4).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import { isTwcError } from "../shared/errors.ts";
import { STATUS_BY_CODE } from "./errors.ts";
import { answerKnownPath, connectAnswer, isApiPath, withBaseHeaders } from "./methods.ts";
import {
  HTTP_LIMITS,
  createClientErrorHandler,
  installServerHandlers,
  installShutdownAnswer,
  nodeServerOptions,
  protocolHook,
} from "./wire-rules.ts";
import { installConnectionLimits } from "./connections.ts";
import type { HttpDeps } from "./deps.ts";
import { registerLegacyRoutes } from "./legacy/routes.ts";
import { registerPages } from "./pages.ts";
import { registerSecurity } from "./security/register.ts";
import { authEnabled } from "./security/auth.ts";
import { registerV2 } from "./v2/routes.ts";
import { registerVehicleRoutes } from "./vehicle-routes.ts";
import { registerVehicleBleRoutes } from "./vehicle-ble-routes.ts";
import { sendError } from "./reply.ts";

export type { HttpDeps } from "./deps.ts";
export type { LegacyViews } from "./legacy/routes.ts";

const HTML_TYPE = "text/html; charset=utf-8";

const maxBody = (deps: HttpDeps): number => deps.maxBodyBytes ?? 65536;

/** Builds the fastify app with every route registered. */
export function createApp(deps: HttpDeps): FastifyInstance {
  let notFound: (request: FastifyRequest, reply: FastifyReply) => FastifyReply = (_q, reply) => reply;
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: true },
    bodyLimit: deps.maxBodyBytes ?? 65536,
    return503OnClosing: false, // installShutdownAnswer: the same 503, with our JSON error body
    genReqId: () => randomUUID(),
    // No pino child logger per request (docs/performance.md): error logs carry reqId explicitly.
    childLoggerFactory: (logger) => logger,
    // http-api §2.2: timeouts, header limit and complete JSON answers for what Node's parser rejects
    // (a TLS server must get nodeServerOptions() merged into its https options as well).
    http: nodeServerOptions(),
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    clientErrorHandler: createClientErrorHandler(),
    // An undecodable path (FST_ERR_BAD_URL) or an over-long parameter matches no route: 404.
    frameworkErrors: (_error, request, reply) => void notFound(request, withBaseHeaders(request, reply)),
  });
  installServerHandlers(app.server, { maxBodyBytes: maxBody(deps), connectAnswer: (url) => connectAnswer(app, url) });
  installConnectionLimits(app); // http-api §4.1 step 1: a connection above the cap gets 503 first
  app.addHook("onRequest", protocolHook);
  installShutdownAnswer(app);
  const auth = registerSecurity(app, deps); // http-api §4.1: host check, then (known routes) auth, then origin

  // Callback style (not async): one promise less on every response (docs/performance.md).
  app.addHook("onSend", (request, reply, payload, done) => {
    void reply.header("X-Content-Type-Options", "nosniff");
    void reply.header("Referrer-Policy", "same-origin");
    if (isApiPath(request.url)) void reply.header("Cache-Control", "no-store");
    done(null, payload);
  });

  notFound = (request, reply) => {
    if (isApiPath(request.url)) return sendError(reply, 404, "Unknown endpoint");
    return reply
      .code(404)
      .type(HTML_TYPE)
      .send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><h1>Not found</h1><p><a href="/">TWCManager</a></p></body></html>');
  };
  app.setNotFoundHandler((request, reply) => (answerKnownPath(app, request, reply) ? reply : notFound(request, reply)));

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isTwcError(error)) {
      const status = STATUS_BY_CODE[error.code] ?? 500;
      if (status < 500 || status === 501 || status === 503) return sendError(reply, status, error.message);
    }
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode === 413) return sendError(reply, 413, `Request body too large (limit ${deps.maxBodyBytes ?? 65536} bytes)`);
    if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
      return sendError(reply, statusCode, (error as Error).message);
    }
    request.log.error({ err: error, code: "HTTP_INTERNAL", reqId: request.id }, "unhandled error in HTTP handler");
    void reply.header("X-Request-Id", request.id);
    return sendError(reply, 500, "Internal server error");
  });

  // http-api §4.3: Content-Type is ignored; every body reaches the handlers as raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, payload, done) => done(null, payload));

  registerLegacyRoutes(app, deps.views, deps.commands, { authEnabled: authEnabled(deps.httpConfig?.auth) });
  registerV2(app, deps, auth); // /api/v2/* and /metrics
  registerVehicleRoutes(app, { commands: deps.commands, state: deps.state }); // /teslaAccount/*, vehicle groups, /api/v2/vehicles
  registerVehicleBleRoutes(app, { commands: deps.commands }); // /api/v2/vehicles/ble, BLE pairing
  registerPages(app, deps); // the page routes and /static/*

  return app;
}
