/**
 * `POST /api/v2/sources/{name}/test` (issue 11 §4): polls one configured energy source once and answers
 * the parsed figures, the module attributes and the raw answers (secrets redacted), or the error. A
 * write (POST), so the usual rules apply: credentials when control.HTTP.auth is on, the Origin check.
 * 404 when no such source is configured, 409 for a push source (MQTT, DSMRreader) that cannot be polled.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { HttpDeps } from "../deps.ts";
import { sendError, sendJson } from "../reply.ts";

/** The route's path in fastify's syntax. */
export const SOURCE_TEST_ROUTE = "/api/v2/sources/:name/test";

/** Registers the "test this source" route (answers 404 for every name when no tester is wired). */
export function registerSourceTest(app: FastifyInstance, deps: Pick<HttpDeps, "sourceTests">): void {
  app.post(SOURCE_TEST_ROUTE, async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!deps.sourceTests) return sendError(reply, 404, `no energy source named "${name}" is configured`);
    const out = await deps.sourceTests.test(name);
    switch (out.kind) {
      case "result":
        return sendJson(reply, 200, out.result);
      case "not-configured":
        return sendError(reply, 404, out.message);
      case "not-pollable":
        return sendError(reply, 409, out.message);
    }
  });
}

const Figure = Type.Union([Type.Number(), Type.Null()]);

/** The answer's schema (energy/source-test.ts SourceTestResult), for the OpenAPI document. */
export const SourceTestResultSchema = Type.Object({
  name: Type.String({ description: "The source (sources.<Key>)" }),
  ok: Type.Boolean({ description: "True when the poll produced a reading" }),
  error: Type.Union([Type.String(), Type.Null()], { description: "Why the poll failed (secrets redacted)" }),
  generationW: Figure,
  consumptionW: Figure,
  consumptionA: Figure,
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
    description: "modules.<Module>.<attr> values of this reading",
  }),
  raw: Type.Array(
    Type.Object({
      request: Type.String({ description: "e.g. GET http://host/path (secrets hidden) or a Modbus register read" }),
      status: Type.Union([Type.Integer(), Type.Null()]),
      body: Type.String({ description: "The answer, secrets hidden, at most 8192 characters" }),
      truncated: Type.Boolean(),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: "Requests and raw answers in order (at most 16)" },
  ),
  rawDropped: Type.Integer({ minimum: 0 }),
  testedAt: Type.String({ format: "date-time" }),
  durationMs: Type.Number({ minimum: 0 }),
});
