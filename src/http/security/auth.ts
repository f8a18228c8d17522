/**
 * Credential checks for control.HTTP.auth (http-api.md §3.1): bearer tokens (constant time), Basic
 * (scrypt), the session cookie, and the failed-attempt throttle keyed by client address.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { HttpConfig } from "../../config/app-config.ts";
import type { Clock } from "../../shared/clock.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { readCookie, SESSION_COOKIE, SessionStore } from "./sessions.ts";
import { FailureThrottle } from "./throttle.ts";

/** control.HTTP.auth when present. */
export type AuthConfig = NonNullable<HttpConfig["auth"]>;

/** True when authentication is on: a token, or a username with a password or password hash. */
export function authEnabled(auth: HttpConfig["auth"] | undefined): auth is AuthConfig {
  if (!auth) return false;
  return (
    auth.tokens.length > 0 ||
    (auth.username !== null && (auth.password !== null || auth.passwordHash !== null))
  );
}

/** Outcome of checking a request's credentials. */
export type AuthOutcome =
  { kind: "ok" } | { kind: "missing" } | { kind: "invalid" } | { kind: "throttled"; retryAfterS: number };

/** The parts of a request the check reads. */
export interface CredentialInput {
  authorization: string | undefined;
  cookie: string | undefined;
  /** Client address (throttle key). */
  address: string;
}

const BASIC_CACHE_MS = 5 * 60 * 1000;
const BASIC_CACHE_MAX = 32;
/** Longest username or password looked at (longer ones simply fail). */
const MAX_CREDENTIAL_CHARS = 1024;

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Constant-time string equality (both sides hashed to equal length first). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Verifies credentials against the configured auth options. */
export class Authenticator {
  /** Login sessions (cookie `twcm_session`). */
  readonly sessions: SessionStore;
  /** Failed attempts per credential kind and client address (keys from throttleKey). */
  readonly throttle: FailureThrottle;
  private readonly passwordHash: Promise<string | null>;
  /** Digest of a recently verified Basic header → expiry (spares scrypt on every polled request). */
  private readonly basicOk = new Map<string, number>();

  constructor(
    private readonly auth: AuthConfig,
    private readonly clock: Clock,
  ) {
    this.sessions = new SessionStore(clock, auth.sessionTtlHours * 3600 * 1000);
    this.throttle = new FailureThrottle(clock);
    const plain = auth.password;
    // A plain password is hashed once at start-up and then compared with scrypt like a configured hash.
    this.passwordHash =
      auth.passwordHash !== null
        ? Promise.resolve(auth.passwordHash)
        : plain !== null
          ? hashPassword(plain)
          : Promise.resolve(null);
    this.passwordHash.catch(() => undefined);
  }

  /** True when a username (hence the login page and Basic) is configured. */
  get hasLogin(): boolean {
    return this.auth.username !== null && (this.auth.password !== null || this.auth.passwordHash !== null);
  }

  /** Session lifetime in seconds (the cookie's Max-Age). */
  get sessionTtlS(): number {
    return Math.round(this.sessions.ttlMs / 1000);
  }

  /** Checks a username and password (scrypt; the same work is done for an unknown username). */
  async verifyLogin(username: string, password: string): Promise<boolean> {
    const hash = await this.passwordHash.catch(() => null);
    if (this.auth.username === null || hash === null) return false;
    if (username.length > MAX_CREDENTIAL_CHARS || password.length > MAX_CREDENTIAL_CHARS) return false;
    const userOk = safeEqual(username, this.auth.username);
    const passOk = await verifyPassword(password, hash).catch(() => false);
    return userOk && passOk;
  }

  /** Checks a bearer token against every configured token in constant time. */
  verifyToken(token: string): boolean {
    let ok = false;
    for (const t of this.auth.tokens) if (safeEqual(token, t)) ok = true;
    return ok;
  }

  private async verifyBasic(header: string, encoded: string): Promise<boolean> {
    const key = digest(header).toString("base64");
    const cached = this.basicOk.get(key);
    if (cached !== undefined && cached > this.clock.now()) return true;
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const ok = await this.verifyLogin(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (ok) {
      this.basicOk.delete(key);
      this.basicOk.set(key, this.clock.now() + BASIC_CACHE_MS);
      if (this.basicOk.size > BASIC_CACHE_MAX) {
        const first = this.basicOk.keys().next();
        if (first.done !== true) this.basicOk.delete(first.value);
      }
    }
    return ok;
  }

  /** True when the Cookie header carries a live session. */
  sessionValid(cookieHeader: string | undefined): boolean {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    return id !== null && this.sessions.valid(id);
  }

  /**
   * Checks a request: a live session cookie passes; otherwise the Authorization header is an attempt.
   * Failures are counted per client address *and credential kind* (token / password): a valid bearer
   * token is never throttled, so ten mistyped passwords on a phone do not lock out Home Assistant's
   * token; wrong passwords throttle passwords (Basic and the login form), wrong tokens throttle tokens.
   * Without a header the credentials are missing.
   */
  async check(input: CredentialInput): Promise<AuthOutcome> {
    if (this.sessionValid(input.cookie)) return { kind: "ok" };
    const header = input.authorization?.trim();
    if (header === undefined || header === "") return { kind: "missing" };
    const m = /^(\S+)\s+(\S+)$/.exec(header);
    const scheme = (m?.[1] ?? "").toLowerCase();
    const value = m?.[2] ?? "";
    const kind: CredentialKind = scheme === "basic" ? "password" : "token";
    const key = throttleKey(kind, input.address);
    if (kind === "token") {
      if (scheme === "bearer" && this.verifyToken(value)) return { kind: "ok" };
    } else if (this.basicCached(header)) {
      return { kind: "ok" };
    }
    const retryAfterS = this.throttle.retryAfterS(key);
    if (retryAfterS > 0) return { kind: "throttled", retryAfterS };
    if (kind === "password" && (await this.verifyBasic(header, value))) return { kind: "ok" };
    this.throttle.fail(key);
    return { kind: "invalid" };
  }

  private basicCached(header: string): boolean {
    const cached = this.basicOk.get(digest(header).toString("base64"));
    return cached !== undefined && cached > this.clock.now();
  }
}

/** The credential kinds the failure throttle counts separately. */
export type CredentialKind = "token" | "password";

/** The throttle key of one credential kind from one client address. */
export function throttleKey(kind: CredentialKind, address: string): string {
  return `${kind} ${address}`;
}
