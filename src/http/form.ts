/**
 * Bodies and answers of the web form routes (vehicles.md §8): a body is JSON when it starts with `{`,
 * else `application/x-www-form-urlencoded` (upstream's pages post forms; the SPA may post JSON),
 * whatever Content-Type says. Answers are 302 to the page like upstream; a client that asks for JSON
 * (`Accept: application/json`, the SPA's fetch) gets `200 {"status":"success","redirect":…}` and JSON
 * errors instead of the small HTML error page.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { parseJsonBody } from "./body.ts";
import { escapeHtml, sendHtml, simplePage } from "./pages.ts";
import { sendError, sendJson } from "./reply.ts";

/** A parsed form or the 400 message. */
export type FormResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** Parses a form body (JSON object or URL-encoded; the last of repeated fields wins). */
export function parseFormBody(raw: Uint8Array | string | undefined): FormResult {
  const text = raw === undefined ? "" : typeof raw === "string" ? raw : Buffer.from(raw).toString("utf8");
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return parseJsonBody(raw);
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(trimmed)) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { ok: true, value: out };
}

/** The request's body as a form. */
export function formOf(request: FastifyRequest): FormResult {
  const raw = request.body;
  return parseFormBody(raw instanceof Uint8Array || typeof raw === "string" ? raw : undefined);
}

/** True when the client asked for JSON answers (the SPA's fetch). */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? "";
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

/** A successful form post: 302 to `location` (JSON clients: 200 with the location). */
export function formRedirect(request: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  if (wantsJson(request)) return sendJson(reply, 200, { status: "success", redirect: location });
  return reply.code(302).header("Location", location).header("Cache-Control", "no-store").send();
}

/** A failed form post: the status with a small HTML page (JSON clients: `{"error":…}`). */
export function formError(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  if (wantsJson(request)) return sendError(reply, status, message);
  return sendHtml(reply, status, simplePage("TWCManager", `<h1>Request refused</h1><p>${escapeHtml(message)}</p><p><a href="/vehicles">Back</a></p>`));
}
