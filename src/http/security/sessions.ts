/**
 * In-memory login sessions (http-api.md §3.2): 256-bit random ids, a fixed lifetime, at most 100
 * sessions (the oldest is evicted). A restart logs everyone out.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../../shared/clock.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "twcm_session";
/** Sessions kept at most. */
export const MAX_SESSIONS = 100;

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function key(id: string): string {
  // Stored by digest so a map lookup never compares the secret itself.
  return createHash("sha256").update(id).digest("base64");
}

/** The session store. */
export class SessionStore {
  /** Digest of the id → expiry (epoch ms) and who signed in; insertion order is creation order. */
  private readonly sessions = new Map<string, { expires: number; username: string }>();

  constructor(
    private readonly clock: Clock,
    /** Lifetime in milliseconds. */
    readonly ttlMs: number,
    private readonly max = MAX_SESSIONS,
  ) {}

  /** Creates a session for `username` and returns its id (43 base64url characters, 256 bits). */
  create(username = ""): string {
    const id = randomBytes(32).toString("base64url");
    this.sessions.set(key(id), { expires: this.clock.now() + this.ttlMs, username });
    while (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next();
      if (oldest.done === true) break;
      this.sessions.delete(oldest.value);
    }
    return id;
  }

  /** True when the id names a live session (an expired one is dropped). */
  valid(id: string): boolean {
    return this.usernameOf(id) !== null;
  }

  /** Who signed in with a live session id, null when the id names none (an expired one is dropped). */
  usernameOf(id: string): string | null {
    if (!ID_PATTERN.test(id)) return null;
    const k = key(id);
    const s = this.sessions.get(k);
    if (s === undefined) return null;
    if (s.expires <= this.clock.now()) {
      this.sessions.delete(k);
      return null;
    }
    return s.username;
  }

  /** Deletes a session (unknown ids are ignored). */
  delete(id: string): void {
    if (ID_PATTERN.test(id)) this.sessions.delete(key(id));
  }

  /** Number of sessions held (expired ones included until looked up or evicted). */
  get size(): number {
    return this.sessions.size;
  }
}

/** The value of one cookie from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Set-Cookie value issuing a session (http-api.md §3.2, attributes in this exact order). */
export function sessionCookie(id: string, maxAgeS: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie value clearing the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", 0, secure);
}
