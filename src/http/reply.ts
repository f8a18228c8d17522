/**
 * The one JSON content type of the HTTP layer and its JSON replies (http-api.md §2.3, §4.2): every
 * JSON answer, including the raw ones written outside fastify, carries JSON_TYPE, and every error body
 * is `{"error":"…"}`.
 */
import type { FastifyReply } from "fastify";

/** Content-Type of every JSON response. */
export const JSON_TYPE = "application/json; charset=utf-8";

/** The JSON error body text, `{"error":"…"}`. */
export function errorJson(message: string): string {
  return JSON.stringify({ error: message });
}

/** Sends a JSON body with the given status (a string is sent as it is: already serialised). */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .type(JSON_TYPE)
    .send(typeof body === "string" ? body : JSON.stringify(body));
}

/** Sends a JSON error body with the given status. */
export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(errorJson(message));
}
