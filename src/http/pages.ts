/**
 * Web UI page routes (http-api.md §10): each page path returns the application shell
 * `dist/web/index.html` with the HTML headers of §2.3; `/static/*` is served by static.ts.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import { registerStatic } from "./static.ts";

/** The bundled web UI folder (the same relative place from src/http/ and dist/http/). */
export const DEFAULT_WEB_ROOT: string = fileURLToPath(new URL("../../dist/web/", import.meta.url));

/** The page routes that return the application shell. */
export const PAGE_ROUTES: readonly string[] = ["/", "/policy", "/schedule", "/settings", "/debug", "/graphs", "/logs", "/vehicles", "/teslaAccount"];

/**
 * Page routes with a parameter (vehicles.md §8): the vehicle detail and the Tesla account result pages.
 * `/teslaAccount/login`, `/callback` and `/saveToken` are server routes (vehicle-routes.ts), which the
 * router prefers over the parameter.
 */
export const PARAM_PAGE_ROUTES: readonly string[] = ["/vehicleDetail/:vin", "/teslaAccount/:result"];

/** Content-Security-Policy of every HTML page (http-api.md §2.3, verbatim). */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Sets the HTML-page headers of §2.3 (CSP, X-Frame-Options, Cache-Control no-cache, text/html). */
export function htmlHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type("text/html; charset=utf-8")
    .header("Content-Security-Policy", CSP)
    .header("X-Frame-Options", "DENY")
    .header("Cache-Control", "no-cache");
}

/** Sends an HTML page with the §2.3 headers. */
export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return htmlHeaders(reply.code(status)).send(html);
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal complete HTML page (no inline scripts or styles; the CSP forbids them). */
export function simplePage(title: string, bodyHtml: string): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head><body><main>${bodyHtml}</main></body></html>\n`
  );
}

/** The page served when dist/web/index.html does not exist. */
export const NOT_BUILT_PAGE: string = simplePage(
  "TWCManager",
  "<h1>TWCManager</h1><p>The web UI is not built yet (run <code>npm run build</code>).</p>" +
    '<p>The HTTP API is available, for example <a href="/api/getStatus">/api/getStatus</a> and ' +
    '<a href="/api/v2/state">/api/v2/state</a>.</p>',
);

/** The 404 page of paths that match a route pattern but name nothing (e.g. a missing /static file). */
export const NOT_FOUND_PAGE: string = simplePage(
  "Not found",
  '<h1>Not found</h1><p><a href="/">TWCManager</a></p>',
);

/** Options of registerPages (structurally satisfied by HttpDeps). */
export interface PagesOptions {
  /** The bundled asset folder (tests); default DEFAULT_WEB_ROOT. */
  webRoot?: string | undefined;
}

/** Reads the application shell, or null when the web UI is not built. */
async function readShell(webRoot: string): Promise<string | null> {
  try {
    return await readFile(join(webRoot, "index.html"), "utf8");
  } catch {
    return null;
  }
}

/** Registers the page routes and `/static/*`. */
export function registerPages(app: FastifyInstance, opts: PagesOptions = {}): void {
  const webRoot = opts.webRoot ?? DEFAULT_WEB_ROOT;
  for (const path of [...PAGE_ROUTES, ...PARAM_PAGE_ROUTES]) {
    app.get(path, async (_request, reply) =>
      sendHtml(reply, 200, (await readShell(webRoot)) ?? NOT_BUILT_PAGE),
    );
  }
  registerStatic(app, webRoot, {
    headers: htmlHeaders,
    notFound: (reply) => sendHtml(reply, 404, NOT_FOUND_PAGE),
  });
}
