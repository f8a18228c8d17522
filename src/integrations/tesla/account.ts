/**
 * The Fleet API module's surface for the commands facade and the web pages (vehicles.md §2.4, §2.13,
 * §8): login, token entry, account status, alerts. Types only: the engine and HTTP import these, never
 * the module's internals.
 */
import type { FleetAccess } from "../../energy/source.ts";
import type { Vehicle, VehicleControl, VehicleOperationResult, VehicleStatus } from "../capabilities.ts";

/** The `/teslaAccount/<result>` of a login exchange (vehicles.md §2.4 step 3); other strings are Tesla's error codes. */
export type TeslaLoginResult = "success" | "error" | "state_mismatch" | "not_configured" | "response_no_token" | (string & {});

/** What the Tesla account page shows (vehicles.md §2.13 `teslaAccount`); never a token. */
export interface TeslaAccountStatus {
  /** `teslaApiClientID` and `teslaApiRedirectUri` are set. */
  configured: boolean;
  /** PKCE login (no client secret). */
  pkce: boolean;
  /** An access token is held. */
  loggedIn: boolean;
  /** Epoch ms of the access token's expiry, null without one. */
  tokenExpiresAt: number | null;
  /** Token sync from TeslaMate (always false for now). */
  tokenSync: boolean;
  /** Commands go through the vehicle-command proxy. */
  proxy: boolean;
  /** The configured default region. */
  region: "NA" | "EU" | "CN";
}

/** The alert codes of the vehicle modules (vehicles.md §2.13). */
export type VehicleAlertCode = "VEHICLE_AUTH_REQUIRED" | "VEHICLE_COMMAND_PROTOCOL_REQUIRED" | "VEHICLE_API_BACKOFF" | "VEHICLE_BLE_UNAVAILABLE";

/** A raised vehicle alert (the message names the fix; no secret). */
export interface VehicleAlert {
  code: VehicleAlertCode;
  message: string;
  sinceMs: number;
}

/** A charge start/stop over every car (or the VIN's car), vehicles.md §2.11: upstream's result strings. */
export type ChargeOperationResult = VehicleOperationResult;

/** Purpose of an availability check (vehicles.md §2.8). */
export type AvailabilityPurpose = "none" | "start" | "limit";

/** The module as the commands facade, the charging logic and the web pages use it. */
export interface TeslaAccountApi extends VehicleControl {
  /** Account status for the state document and the account page. */
  account(): TeslaAccountStatus;
  /** What the Powerwall's Storm Watch borrows (energy-sources.md §3.6): Fleet API base, current token, HTTPS client. */
  fleetAccess(): FleetAccess;
  /**
   * §2.4 step 1: the authorize URL to redirect to (a new pending login replaces the previous one), or
   * null when not configured (→ `/teslaAccount/not_configured`). `region` outside NA/EU/CN → configured.
   */
  loginUrl(region?: string): string | null;
  /** §2.4 paste-back: the full callback URL the user copied; resolves to the result page name. */
  saveTokenFromUrl(url: string): Promise<TeslaLoginResult>;
  /** §2.4 auto-capture (`/teslaAccount/callback?code&state`). */
  callback(code: string | null, state: string | null): Promise<TeslaLoginResult>;
  /** §2.3 manual entry: non-empty values replace the stored tokens (no validation); saves settings. */
  setTokens(accessToken: string | undefined, refreshToken: string | undefined): Promise<void>;
  /**
   * vehicles.md §5.2: tokens from TeslaMate's database. From then on the module never refreshes them
   * (TeslaMate does; a refresh here would spend TeslaMate's refresh token), shows no login prompt
   * (`tokenSync`), and takes tokens from no other source.
   */
  setSyncedTokens(accessToken: string, refreshToken: string): Promise<void>;
  /** Raised alerts. */
  alerts(): readonly VehicleAlert[];
  /** Their records. */
  statuses(): readonly VehicleStatus[];
  /** The car with this Tesla id (Debug page). */
  byId(id: number): Vehicle | null;
  /** §2.8 availability check (may fetch the list, refresh the token, wake a car at home). */
  available(purpose: AvailabilityPurpose): Promise<boolean>;
}
