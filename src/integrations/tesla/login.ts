/**
 * The login flow (vehicles.md §2.4): one pending login (state, region, PKCE verifier), the authorize
 * URL, and the code exchange of a pasted-back callback URL. Tokens go to the caller's `store`.
 */
import { randomBytes } from "node:crypto";
import type { TeslaApiConfig, TeslaApiRegion } from "../../config/app-config.ts";
import { exchangeRequest, type TokenAnswer } from "./auth.ts";
import type { TeslaLoginResult } from "./account.ts";
import type { FetchFn } from "./tls-fetch.ts";
import { authorizeUrl, callbackParams, type AuthEndpoints, type PendingLogin } from "./urls.ts";

/** What the flow needs. */
export interface LoginDeps {
  config: TeslaApiConfig;
  endpoints: AuthEndpoints;
  hosts: Readonly<Record<TeslaApiRegion, string>>;
  fetch: FetchFn;
  timeoutMs: number;
  /** Stores the tokens (and saves settings). */
  store(tokens: TokenAnswer): Promise<void>;
  /** Logs a failure (no secret in `reason`). */
  log(reason: string): void;
}

/** The one pending login. */
export class LoginFlow {
  private pending: PendingLogin | null = null;

  constructor(private readonly d: LoginDeps) {}

  /** Client id and redirect URI are set. */
  get configured(): boolean {
    return this.d.config.clientId !== "" && this.d.config.redirectUri !== "";
  }

  /** PKCE unless a client secret is set. */
  get pkce(): boolean {
    return this.d.config.clientSecret === "";
  }

  /** Step 1: a new pending login and its authorize URL; null when not configured. */
  start(region?: string): string | null {
    if (!this.configured) return null;
    const r: TeslaApiRegion = region === "NA" || region === "EU" || region === "CN" ? region : this.d.config.region;
    this.pending = {
      state: randomBytes(16).toString("base64url"),
      region: r,
      verifier: this.pkce ? randomBytes(64).toString("base64url") : null,
    };
    const c = this.d.config;
    return authorizeUrl(this.d.endpoints, { clientId: c.clientId, redirectUri: c.redirectUri, scope: c.scope, pending: this.pending, audience: this.d.hosts[r] });
  }

  /** Paste-back: the code and state from the URL the user copied. */
  fromUrl(url: string): Promise<TeslaLoginResult> {
    const p = callbackParams(url);
    return this.exchange(p.code, p.state);
  }

  /** Step 3: checks and the exchange. */
  async exchange(code: string | null, state: string | null): Promise<TeslaLoginResult> {
    if (!this.configured) return "not_configured";
    if (code === null) return "error";
    const pending = this.pending;
    if (pending === null || state === null || state !== pending.state) return "state_mismatch";
    const c = this.d.config;
    const form: Record<string, string> = { grant_type: "authorization_code", client_id: c.clientId, code, redirect_uri: c.redirectUri };
    let url: string;
    if (pending.verifier !== null) {
      form.code_verifier = pending.verifier;
      url = `${this.d.endpoints.auth}/token`;
    } else {
      form.client_secret = c.clientSecret;
      form.audience = this.d.hosts[pending.region];
      url = `${this.d.endpoints.fleetAuth}/token`;
    }
    const out = await exchangeRequest(this.d.fetch, url, form, this.d.timeoutMs);
    if (!out.ok) {
      this.d.log(out.reason);
      return out.code;
    }
    this.pending = null;
    await this.d.store(out.tokens);
    return "success";
  }
}
