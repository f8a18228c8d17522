/**
 * Route lookup outcomes fastify does not produce by itself (http-api.md §2.2, §4.1 step 3): a known
 * path with an unsupported method → 405 with `Allow`; `OPTIONS` on a known path → 204 with `Allow`
 * (never CORS headers); an unknown path under /api/ with any method → 404 JSON. Works for every route
 * registered on the app, whoever registered it, by asking the router which methods match the path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { sendError } from "./reply.ts";
import type { RouteAnswer } from "./wire-rules.ts";

/** Methods reported in `Allow`, in this order. */
const CANDIDATES: readonly HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];

const HTML_TYPE = "text/html; charset=utf-8";

/** The path of a request target without its query string, duplicate slashes collapsed (§1). */
export function requestPath(url: string): string {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  return path.includes("//") ? path.replace(/\/{2,}/g, "/") : path;
}

/** True for `/api`, `/api/…` and `/metrics` (JSON errors, `Cache-Control: no-store`). */
export function isApiPath(url: string): boolean {
  const p = requestPath(url);
  return p.startsWith("/api/") || p === "/api" || p === "/metrics";
}

/** Methods the app serves at `url` (empty for an unknown path). */
export function allowedMethods(app: FastifyInstance, url: string): string[] {
  const path = requestPath(url);
  if (!path.startsWith("/")) return [];
  const out: string[] = [];
  for (const method of CANDIDATES) {
    try {
      if (app.findRoute({ method, url: path }) !== null) out.push(method);
    } catch {
      // a target the router cannot even look up is not a known path
    }
  }
  return out;
}

const METHOD_NOT_ALLOWED_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Method not allowed</title></head><body><h1>Method not allowed</h1><p><a href="/">TWCManager</a></p></body></html>';

/**
 * Called first in the not-found handler: answers 405 (JSON under /api/ and /metrics, HTML elsewhere)
 * or, for OPTIONS, 204 — both with `Allow` — when the path is known. Returns false for an unknown path.
 */
export function answerKnownPath(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): boolean {
  const allow = allowedMethods(app, request.url);
  if (allow.length === 0) return false;
  void reply.header("Allow", allow.join(", "));
  if (request.method === "OPTIONS") {
    void reply.code(204).send();
  } else if (isApiPath(request.url)) {
    void sendError(reply, 405, "Method not allowed");
  } else {
    void reply.code(405).type(HTML_TYPE).send(METHOD_NOT_ALLOWED_HTML);
  }
  return true;
}

/**
 * Headers of http-api.md §2.3 for replies that bypass the app's hooks (fastify's `frameworkErrors`
 * replies run no onSend hook).
 */
export function withBaseHeaders(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  void reply.header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "same-origin");
  if (isApiPath(request.url)) void reply.header("Cache-Control", "no-store");
  return reply;
}

/** The answer to a CONNECT request (Node hands those to the server, not to fastify). */
export function connectAnswer(app: FastifyInstance, url: string): RouteAnswer {
  const allow = allowedMethods(app, url);
  if (allow.length > 0) return { status: 405, message: "Method not allowed", allow };
  if (isApiPath(url)) return { status: 404, message: "Unknown endpoint" };
  return { status: 400, message: "Bad request: CONNECT is not supported" };
}
