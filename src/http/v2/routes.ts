/**
 * The modern API (http-api.md §8) and /metrics (§9), registered on the fastify app: state snapshot,
 * Server-Sent Events, history, sessions, the OpenAPI document and the Prometheus metrics.
 */
import type { FastifyInstance } from "fastify";
import { systemClock } from "../../shared/clock.ts";
import type { HttpDeps } from "../deps.ts";
import { memoLast } from "../memo.ts";
import { countRequests, renderMetrics } from "../metrics.ts";
import { JSON_TYPE, sendError, sendJson } from "../reply.ts";
import type { Authenticator } from "../security/auth.ts";
import { SseHub, streamOpener } from "./events.ts";
import { historyDoc, queryInt, sessionsDoc } from "./history.ts";
import { registerLogRoutes } from "./logs.ts";
import { buildOpenApi } from "./openapi.ts";
import { registerSourceTest } from "./source-test.ts";

const METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What registerV2 exposes to the rest of the app. */
export interface V2Handle {
  /** Open event streams. */
  sseClients(): number;
}

/**
 * Registers /api/v2/* and /metrics; SSE streams are ended when the app closes. `auth` (null: off) tells
 * authenticated event streams from unauthenticated ones (their limits differ, v2/events.ts).
 */
export function registerV2(app: FastifyInstance, deps: HttpDeps, auth: Authenticator | null = null): V2Handle {
  const clock = deps.clock ?? systemClock;
  const tz = deps.timeZone;
  const reader = deps.history ?? null;
  const hub = new SseHub({ store: deps.state, clock });
  const httpCounts = countRequests(app);
  let openapi: string | null = null;

  app.addHook("preClose", (done) => {
    hub.closeAll();
    done();
  });

  // The store replaces its document on every change, so the JSON text is cached per snapshot.
  const stateJson = memoLast((doc: unknown) => JSON.stringify(doc));
  app.get("/api/v2/state", async (_q, reply) =>
    reply.code(200).type(JSON_TYPE).send(stateJson(deps.state.snapshot)),
  );
  app.get("/api/v2/events", async (request, reply) => hub.handle(request, reply, await streamOpener(auth, request)));
  app.get("/api/v2/history", async (request, reply) => {
    const hours = queryInt(request.query, "hours", 1, 2160, 48);
    if (!hours.ok) return sendError(reply, 400, hours.message);
    return sendJson(reply, 200, historyDoc(reader, clock.now(), hours.value, tz));
  });
  app.get("/api/v2/sessions", async (request, reply) => {
    const limit = queryInt(request.query, "limit", 1, 1000, 50);
    if (!limit.ok) return sendError(reply, 400, limit.message);
    return sendJson(reply, 200, sessionsDoc(reader, limit.value, tz));
  });
  registerSourceTest(app, deps); // POST /api/v2/sources/:name/test
  registerLogRoutes(app, { logs: deps.logs ?? null, auth, clock, ...(tz !== undefined ? { timeZone: tz } : {}) }); // the Logs page
  app.get("/api/v2/openapi.json", async (_q, reply) => {
    openapi ??= JSON.stringify(
      buildOpenApi({
        version: deps.state.snapshot.version,
        wiringMaxAmpsAllTWCs: deps.views.wiringMaxAmpsAllTWCs,
      }),
    );
    return reply.code(200).type(JSON_TYPE).send(openapi);
  });
  app.get("/metrics", async (_q, reply) =>
    reply
      .code(200)
      .type(METRICS_TYPE)
      .send(
        renderMetrics({
          doc: deps.state.snapshot,
          nowMs: clock.now(),
          sources: deps.metrics ?? {},
          http: httpCounts,
          sseClients: hub.size,
        }),
      ),
  );
  return { sseClients: () => hub.size };
}
