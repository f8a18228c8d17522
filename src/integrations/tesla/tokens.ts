/**
 * The OAuth tokens (vehicles.md §2.2, §2.3): loaded from settings.json's `carApiBearerToken`,
 * `carApiRefreshToken`, `carApiTokenExpireTime`; expiry = JWT `exp`, else the stored value, else now +
 * 8 h; the region from `ou_code`. Never logged: only `describe()` (no token) leaves this file. Pure.
 */
import type { TeslaApiRegion } from "../../config/app-config.ts";
import { decodeClaims } from "./jwt.ts";

/** A refresh is due when the access token expires within this many seconds. */
export const REFRESH_MARGIN_S = 3600;
/** Default lifetime of a token without `exp` (s). */
export const DEFAULT_LIFETIME_S = 8 * 3600;

/** The settings.json keys (upstream names). */
export interface TokenSettings {
  carApiBearerToken: string;
  carApiRefreshToken: string;
  carApiTokenExpireTime: number;
}

/** The held tokens. */
export class TokenState {
  access = "";
  refresh = "";
  /** Epoch s, 0 without an access token. */
  expiresAtS = 0;
  region: TeslaApiRegion | null = null;
  /** The access token was not a decodable JWT (logged once by the caller). */
  undecodable = false;

  /** §2.3 load: access token (JWT claims), refresh token, then the stored expiry when the JWT has none. */
  load(s: Readonly<Record<string, unknown>>, nowS: number): void {
    const access = typeof s.carApiBearerToken === "string" ? s.carApiBearerToken.trim() : "";
    const refresh = typeof s.carApiRefreshToken === "string" ? s.carApiRefreshToken.trim() : "";
    const stored = Number(s.carApiTokenExpireTime);
    this.setAccess(access, nowS, Number.isFinite(stored) && stored > 0 ? stored : null);
    this.refresh = refresh;
  }

  /** Sets the access token; `fallbackExpiryS` is used when the JWT carries no `exp`. */
  setAccess(token: string, nowS: number, fallbackExpiryS: number | null = null): void {
    this.access = token;
    this.undecodable = false;
    if (token === "") {
      this.expiresAtS = 0;
      this.region = null;
      return;
    }
    const claims = decodeClaims(token);
    this.undecodable = claims === null;
    this.region = claims?.region ?? null;
    this.expiresAtS = claims?.exp ?? fallbackExpiryS ?? nowS + DEFAULT_LIFETIME_S;
  }

  /** Stores a refresh/exchange answer: both tokens, expiry = now + expires_in (JWT exp when it has one). */
  store(access: string, refresh: string, expiresInS: number | null, nowS: number): void {
    this.setAccess(access, nowS, nowS + (expiresInS ?? DEFAULT_LIFETIME_S));
    if (expiresInS !== null) this.expiresAtS = nowS + expiresInS;
    this.refresh = refresh;
  }

  /** Clears both tokens (refresh answered 401: the user must log in again). */
  clear(): void {
    this.setAccess("", 0);
    this.refresh = "";
  }

  /** §2.3: the access token is empty or expires within 3600 s, and a refresh token exists. */
  needsRefresh(nowS: number): boolean {
    return this.refresh !== "" && (this.access === "" || this.expiresAtS - nowS <= REFRESH_MARGIN_S);
  }

  /** The settings.json keys to save. */
  settings(): TokenSettings {
    return { carApiBearerToken: this.access, carApiRefreshToken: this.refresh, carApiTokenExpireTime: this.expiresAtS };
  }

  /** Every secret held, for redaction of anything that might echo them. */
  secrets(): string[] {
    return [this.access, this.refresh].filter((t) => t.length >= 8);
  }
}
