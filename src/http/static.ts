/**
 * `/static/*` (http-api.md §10): files of the bundled asset folder only. The path is URL-decoded and
 * checked; `..`, encoded separators, backslashes, NUL, dot-files and anything resolving outside the
 * folder are 404. No directory listings; MIME types from a fixed table; content-hashed
 * `/static/assets/*` are immutable, everything else is `no-cache` with an ETag.
 */
import { createHash } from "node:crypto";
import { readFile, realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** MIME type by file extension; other extensions are not served. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".map": "application/json; charset=utf-8",
  ".html": "text/html; charset=utf-8",
};

const IMMUTABLE = "public, max-age=31536000, immutable";
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * The checked path segments below `/static/` of a raw request URL, or null when the path must be 404
 * (pure; the file system is consulted afterwards).
 */
export function staticSegments(rawUrl: string): string[] | null {
  let path = rawUrl;
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  path = path.replace(/\/{2,}/g, "/");
  if (!path.startsWith("/static/")) return null;
  const rest = path.slice("/static/".length);
  if (/%2f|%5c/i.test(rest) || rest.includes("\\")) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  // "%" after decoding means double encoding; NUL and backslashes are never part of a bundle path.
  if (/[\0\\%]/.test(decoded)) return null;
  const segments = decoded.split("/");
  if (segments.some((s) => s === "" || s.startsWith("."))) return null;
  if (!Object.hasOwn(MIME_TYPES, extname(segments[segments.length - 1] ?? "").toLowerCase())) return null;
  return segments;
}

function inside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of a regular file inside `root`, or null (missing, directory, symlink escaping…). */
export async function resolveStaticFile(root: string, segments: readonly string[]): Promise<string | null> {
  const base = resolve(root);
  const candidate = resolve(join(base, ...segments));
  if (!inside(base, candidate)) return null;
  try {
    const [realBase, real] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!inside(realBase, real)) return null;
    const st = await stat(real);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    return real;
  } catch {
    return null;
  }
}

/** A strong ETag of the content. */
export function etagOf(content: Buffer): string {
  return `"${createHash("sha256").update(content).digest("base64url").slice(0, 27)}"`;
}

/** True when an If-None-Match header matches the ETag. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

/** How /static answers what it does not serve, and decorates `.html` files (supplied by pages.ts). */
export interface StaticHtml {
  /** Adds the HTML page headers (CSP…) to a `.html` file. */
  headers(reply: FastifyReply): unknown;
  /** Sends the 404 HTML page (the route exists, so fastify's not-found handler would answer 405). */
  notFound(reply: FastifyReply): FastifyReply;
}

/** Registers `GET /static/*` (HEAD is added by fastify) serving files of `root`. */
export function registerStatic(app: FastifyInstance, root: string, html: StaticHtml): void {
  const notFound = (reply: FastifyReply): FastifyReply => html.notFound(reply);
  app.get("/static/*", async (request: FastifyRequest, reply: FastifyReply) => {
    const segments = staticSegments(request.raw.url ?? request.url);
    if (!segments) return notFound(reply);
    const file = await resolveStaticFile(root, segments);
    if (!file) return notFound(reply);
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch {
      return notFound(reply);
    }
    const ext = extname(file).toLowerCase();
    if (ext === ".html") html.headers(reply);
    void reply.type(MIME_TYPES[ext] ?? "application/octet-stream");
    if (segments[0] === "assets" && segments.length > 1) {
      return reply.header("Cache-Control", IMMUTABLE).send(content);
    }
    const etag = etagOf(content);
    void reply.header("Cache-Control", "no-cache").header("ETag", etag);
    if (etagMatches(request.headers["if-none-match"], etag)) return reply.code(304).send();
    return reply.send(content);
  });
}
