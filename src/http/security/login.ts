/**
 * The login page and session cookie routes (http-api.md §3.2): GET/POST /login, POST /logout.
 * Registered only when a username is configured (otherwise /login is 404). `GET /login` asked for JSON
 * (`Accept: application/json`) answers the sign-in state the web interface's header shows.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { escapeHtml, sendHtml } from "../pages.ts";
import { sendError } from "../reply.ts";
import { throttleKey, type Authenticator } from "./auth.ts";
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from "./sessions.ts";

/** The message shown after a failed login. */
export const LOGIN_FAILED = "Invalid username or password";

/** `next` if it is a local path (starts with `/`, not `//` or `/\`; URL characters only), else `/`. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string") return "/";
  return /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%#]*$/.test(next) ? next : "/";
}

/** The sign-in state of `GET /login` with `Accept: application/json`. */
export interface SignInState {
  signedIn: boolean;
  /** The configured username while signed in, else null. */
  username: string | null;
}

/** True when a request asks for JSON rather than a page (the web interface's `getJson`). */
export function wantsJson(accept: string | undefined): boolean {
  return /application\/json/i.test(accept ?? "") && !/text\/html/i.test(accept ?? "");
}

/**
 * The login form (no inline scripts or styles; readable without its stylesheet). `username` is filled
 * in again after a failed attempt (the password field then has the focus).
 */
export function loginPage(next: string, error: string | null, username = ""): string {
  const invalid = error === null ? "" : ' aria-invalid="true" aria-describedby="login-error"';
  const user = username === "" ? " autofocus" : ` value="${escapeHtml(username)}"`;
  const pass = username === "" ? "" : " autofocus";
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Sign in – TWCManager</title><link rel="stylesheet" href="/static/login.css"></head>' +
    '<body><main class="login"><h1>TWCManager</h1>' +
    '<form method="post" action="/login" class="login-form"><h2>Sign in</h2>' +
    (error === null ? "" : `<p id="login-error" class="login-error" role="alert">${escapeHtml(error)}</p>`) +
    '<p><label for="login-username">Username</label><br>' +
    `<input id="login-username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${user}${invalid}></p>` +
    '<p><label for="login-password">Password</label><br>' +
    `<input id="login-password" name="password" type="password" autocomplete="current-password" required${pass}${invalid}></p>` +
    `<input type="hidden" name="next" value="${escapeHtml(safeNext(next))}">` +
    '<p><button type="submit">Sign in</button></p></form></main></body></html>\n'
  );
}

/** The submitted login fields. */
interface LoginFields {
  json: boolean;
  username: string;
  password: string;
  next: string;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Reads a form-urlencoded or JSON login body (anything unreadable counts as empty fields). */
export function parseLoginBody(body: unknown, contentType: string | undefined): LoginFields {
  const raw = Buffer.isBuffer(body) ? body.toString("utf8") : typeof body === "string" ? body : "";
  const json = /json/i.test(contentType ?? "") || raw.trimStart().startsWith("{");
  if (json) {
    let v: unknown = null;
    try {
      v = JSON.parse(raw);
    } catch {
      v = null;
    }
    const o = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    return { json, username: text(o["username"]), password: text(o["password"]), next: text(o["next"]) };
  }
  const form = new URLSearchParams(raw);
  return {
    json,
    username: form.get("username") ?? "",
    password: form.get("password") ?? "",
    next: form.get("next") ?? "",
  };
}

function queryNext(request: FastifyRequest): string {
  const q = request.query;
  return typeof q === "object" && q !== null ? text((q as Record<string, unknown>)["next"]) : "";
}

/** Registers /login and /logout. */
export function registerLoginRoutes(app: FastifyInstance, auth: Authenticator, tls: boolean): void {
  app.get("/login", (request, reply) => {
    if (wantsJson(request.headers.accept)) {
      const id = readCookie(request.headers.cookie, SESSION_COOKIE);
      const username = id === null ? null : auth.sessions.usernameOf(id);
      const state: SignInState = { signedIn: username !== null, username };
      return reply.header("Cache-Control", "no-store").send(state);
    }
    return sendHtml(reply, 200, loginPage(queryNext(request), null));
  });

  app.post("/login", async (request, reply) => {
    const fields = parseLoginBody(request.body, request.headers["content-type"]);
    const retryAfterS = auth.throttle.retryAfterS(throttleKey("password", request.ip));
    if (retryAfterS > 0) {
      void reply.header("Retry-After", String(retryAfterS));
      if (fields.json) return sendError(reply, 429, "Too many failed attempts");
      return sendHtml(
        reply,
        429,
        loginPage(fields.next, `Too many failed attempts; try again in ${retryAfterS} s`, fields.username),
      );
    }
    if (!(await auth.verifyLogin(fields.username, fields.password))) {
      auth.throttle.fail(throttleKey("password", request.ip));
      request.log.info({ code: "HTTP_UNAUTHORIZED", address: request.ip }, "failed login");
      if (fields.json) return sendError(reply, 401, LOGIN_FAILED);
      return sendHtml(reply, 401, loginPage(fields.next, LOGIN_FAILED, fields.username));
    }
    const old = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (old !== null) auth.sessions.delete(old);
    const id = auth.sessions.create(fields.username);
    return reply
      .code(303)
      .header("Set-Cookie", sessionCookie(id, auth.sessionTtlS, tls))
      .header("Location", safeNext(fields.next))
      .header("Cache-Control", "no-store")
      .send();
  });

  app.post("/logout", (request, reply) => {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id !== null) auth.sessions.delete(id);
    return reply
      .code(303)
      .header("Set-Cookie", clearedSessionCookie(tls))
      .header("Location", "/login")
      .header("Cache-Control", "no-store")
      .send();
  });
}
