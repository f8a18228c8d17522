/**
 * The URLs of the Fleet API module (vehicles.md §2.4, §2.5): regional bases, the vehicle base with
 * the proxy, the authorize URL with PKCE or the confidential audience, and the callback URL's code and
 * state. Pure apart from the random generator passed in.
 */
import { createHash } from "node:crypto";
import type { TeslaApiRegion } from "../../config/app-config.ts";

/** The OAuth endpoints; injectable so tests reach a fake (vehicles.md §2.4). */
export interface AuthEndpoints {
  /** `https://auth.tesla.com/oauth2/v3` — authorize and the PKCE exchange. */
  auth: string;
  /** `https://fleet-auth.prd.vn.cloud.tesla.com/oauth2/v3` — refresh and the confidential exchange. */
  fleetAuth: string;
}

/** Tesla's endpoints. */
export const TESLA_AUTH: AuthEndpoints = {
  auth: "https://auth.tesla.com/oauth2/v3",
  fleetAuth: "https://fleet-auth.prd.vn.cloud.tesla.com/oauth2/v3",
};

/** The regional Fleet API hosts (without `/api/1/vehicles`), the confidential login's audience. */
export const REGION_HOSTS: Readonly<Record<TeslaApiRegion, string>> = {
  NA: "https://fleet-api.prd.na.vn.cloud.tesla.com",
  EU: "https://fleet-api.prd.eu.vn.cloud.tesla.com",
  CN: "https://fleet-api.prd.cn.vn.cloud.tesla.cn",
};

/**
 * The vehicle base URL `B` (§2.5): the proxy's when set, else the token region's; null when neither
 * (error "unable to determine Fleet API region"). `hosts` is injectable for tests.
 */
export function vehicleBase(proxy: string | null, region: TeslaApiRegion | null, hosts: Readonly<Record<TeslaApiRegion, string>> = REGION_HOSTS): string | null {
  if (proxy !== null) return `${proxy.replace(/\/+$/, "")}/api/1/vehicles`;
  return region === null ? null : `${hosts[region]}/api/1/vehicles`;
}

/** The `vehicle_data` query of §2.6. */
export const VEHICLE_DATA_QUERY = "endpoints=location_data%3Bcharge_state%3Bdrive_state%3Bvehicle_state";

/** A pending login: state, region and (PKCE) the verifier. */
export interface PendingLogin {
  state: string;
  region: TeslaApiRegion;
  verifier: string | null;
}

/** `base64url(SHA-256(verifier))` without padding (RFC 7636 S256). */
export function codeChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/** The login's parameters. */
export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scope: string;
  pending: PendingLogin;
  /** The audience host of the confidential flow (ignored with PKCE). */
  audience: string;
}

/** The authorize URL of §2.4 step 1. */
export function authorizeUrl(endpoints: AuthEndpoints, p: AuthorizeParams): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: p.scope,
    state: p.pending.state,
  });
  if (p.pending.verifier !== null) {
    q.set("code_challenge", codeChallenge(p.pending.verifier));
    q.set("code_challenge_method", "S256");
  } else {
    q.set("audience", p.audience);
  }
  return `${endpoints.auth}/authorize?${q.toString()}`;
}

/** `code` and `state` from a pasted callback URL (or a bare query string); nulls when absent or unparsable. */
export function callbackParams(url: string): { code: string | null; state: string | null } {
  const t = url.trim();
  let query: URLSearchParams;
  try {
    query = new URL(t).searchParams;
  } catch {
    const i = t.indexOf("?");
    query = new URLSearchParams(i >= 0 ? t.slice(i + 1) : t);
  }
  const code = query.get("code");
  const state = query.get("state");
  return { code: code === null || code === "" ? null : code, state: state === null || state === "" ? null : state };
}
