/**
 * Tesla account (`/teslaAccount`, `/teslaAccount/<result>`, vehicles.md §8.2, §2.4): TWCManager's login
 * with paste-back — step 1 opens Tesla's page (the /teslaAccount/login redirect) in a new tab, step 2
 * takes the address Tesla redirected to — and the result in words. Tokens are never shown: only
 * "logged in, token expires at …". Also the not-configured explanation and manual token entry.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { postAction } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import { describedBy, errorsFrom, fieldError, formStatus } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import "../controller-zone.ts";
import { fmtDateTime } from "../format.ts";
import { accountResult } from "../router.ts";
import { accountOf, checkCallbackUrl, loginMessage, VEHICLE_LABELS, type TeslaAccountDoc } from "../vehicles-model.ts";
import "./tesla-tokens.ts";

const REGIONS = [
  { value: "NA", label: "North America, Asia-Pacific" },
  { value: "EU", label: "Europe, Middle East, Africa" },
  { value: "CN", label: "China" },
] as const;

/** Asks the app to show another page (the app listens for it). */
export function navigate(from: HTMLElement, path: string): void {
  from.dispatchEvent(new CustomEvent<string>("twc-navigate", { detail: path, bubbles: true, composed: true }));
}

/** <twc-tesla-account .state .path>. */
export class TeslaAccountPage extends FormElement {
  static override properties = {
    state: { attribute: false },
    path: { type: String },
    region: { state: true },
    url: { state: true },
  };
  declare state: StateDocument | null;
  declare path: string;
  declare region: string;
  declare url: string;

  constructor() {
    super();
    this.state = null;
    this.path = "/teslaAccount";
    this.region = "";
    this.url = "";
  }

  private async saveToken(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    this.ok = null;
    const bad = checkCallbackUrl(this.url);
    if (bad) {
      this.errors = { url: bad };
      return;
    }
    this.busy = true;
    const r = await postAction("/teslaAccount/saveToken", { url: this.url.trim() });
    this.busy = false;
    this.errors = errorsFrom(r, ["url"], "", VEHICLE_LABELS);
    this.authRequired = !r.ok && r.status === 401;
    if (!r.ok) return;
    this.url = "";
    afterAction();
    navigate(this, r.data ?? "/teslaAccount/error");
  }

  private status(a: TeslaAccountDoc | null): TemplateResult {
    if (a === null)
      return html`<section class="card" aria-labelledby="acc-title" data-testid="account-status">
        <h2 id="acc-title">Tesla API module</h2>
        <p>
          The Tesla API module is not running. To read your cars' state of charge and to start and stop them, add
          <code>"vehicle": {"teslaAPI": {"enabled": true}}</code> to config.json, set <code>teslaApiClientID</code> and
          <code>teslaApiRedirectUri</code> in its <code>config</code> section (see below), and restart TWCManager.
        </p>
        ${this.notConfiguredHelp()}
      </section>`;
    return html`<section class="card" aria-labelledby="acc-title" data-testid="account-status">
      <h2 id="acc-title">Status</h2>
      <dl class="facts">
        <div>
          <dt>Login</dt>
          <dd data-fact="login">
            ${a.loggedIn ? html`${icon("check")} Logged in, token expires ${fmtDateTime(a.tokenExpiresAt)}` : "Not logged in"}
          </dd>
        </div>
        <div>
          <dt>Tokens from</dt>
          <dd>${a.tokenSync ? "TeslaMate (token sync): log in there" : "This page (login or manual entry)"}</dd>
        </div>
        <div>
          <dt>Commands</dt>
          <dd data-fact="proxy">
            ${a.proxy ? "Signed, through the vehicle-command proxy (teslaProxy)" : "Not signed: without teslaProxy most cars refuse start/stop; configure teslaProxy or TeslaBLE"}
          </dd>
        </div>
      </dl>
    </section>`;
  }

  private notConfiguredHelp(): TemplateResult {
    return html`<ol>
      <li>
        At <a href="https://developer.tesla.com" target="_blank" rel="noopener noreferrer">developer.tesla.com</a>, create an
        application with the grant type “Authorization Code (Third-Party Tokens)” and an allowed redirect URI on a domain
        you own (an HTTPS address; it need not reach TWCManager).
      </li>
      <li>
        Put its client id in <code>teslaApiClientID</code> and that redirect URI in <code>teslaApiRedirectUri</code> (the
        <code>config</code> section of config.json). No client secret is needed for this login.
      </li>
      <li>Restart TWCManager and come back to this page.</li>
    </ol>
    <p class="hint">No cloud account? Tesla BLE (<code>vehicle.teslaBLE</code>) controls the car over Bluetooth instead.</p>`;
  }

  private login(a: TeslaAccountDoc): TemplateResult {
    if (!a.configured)
      return html`<section class="card" aria-labelledby="login-title" data-testid="not-configured">
        <h2 id="login-title">Log in to Tesla</h2>
        <p>Login is not configured yet:</p>
        ${this.notConfiguredHelp()}
      </section>`;
    const region = this.region !== "" ? this.region : a.region;
    const href = `/teslaAccount/login?region=${encodeURIComponent(region)}`;
    const inv = this.errors.url ? "true" : "false";
    const steps = html`${
      a.pkce
        ? nothing
        : html`<div class="field">
            <label for="acc-region">Region of your Tesla account</label>
            <select id="acc-region" @change=${(e: Event) => (this.region = (e.target as HTMLSelectElement).value)}>
              ${REGIONS.map((r) => html`<option value=${r.value} ?selected=${r.value === region}>${r.label}</option>`)}
            </select>
          </div>`
    }
      <h3>Step 1</h3>
      <p>
        <a class="btn btn-primary" href=${href} target="_blank" rel="noopener" data-testid="login-link">Log in to Tesla</a>
      </p>
      <p class="hint">
        Opens Tesla's login in a new tab. Approve the access; Tesla then sends you to your redirect address, which may
        show an error page — that is expected.
      </p>
      <form class="steps-form" novalidate @submit=${(e: Event) => void this.saveToken(e)} aria-labelledby="step2-title">
        <h3 id="step2-title">Step 2</h3>
        <div class="field">
          <label for="acc-url">Address after the login</label>
          <input
            id="acc-url"
            type="url"
            autocomplete="off"
            spellcheck="false"
            class="mono"
            placeholder="https://your.domain/callback?code=…&state=…"
            .value=${this.url}
            aria-invalid=${inv}
            aria-describedby=${describedBy(this.errors, "url", "acc-url-error", "acc-url-hint")}
            @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)}
          />
          <p class="hint" id="acc-url-hint">Copy the whole address from that tab's address bar and paste it here.</p>
          ${fieldError(this.errors, "url", "acc-url-error")}
        </div>
        <div class="actions">
          <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>Save Token</button>
        </div>
        ${formStatus(this.errors, this.ok, this.authRequired)}
      </form>`;
    return html`<section class="card form" aria-labelledby="login-title" data-testid="login">
      <h2 id="login-title">${a.loggedIn ? "Log in again" : "Log in to Tesla"}</h2>
      ${
        a.loggedIn
          ? html`<details>
              <summary>Show the login steps (for another account, or after changing the app's scopes)</summary>
              ${steps}
            </details>`
          : steps
      }
    </section>`;
  }

  protected override render(): unknown {
    const result = accountResult(this.path);
    const msg = result !== null ? loginMessage(result) : null;
    const a = accountOf(this.state);
    return html`<p class="small"><a href="/vehicles">← Vehicles</a></p>
      <h1>Tesla account</h1>
      ${
        msg
          ? html`<div class="alerts">
              <div class="alert ${msg.tone === "ok" ? "alert-info" : "alert-error"}" role=${msg.tone === "ok" ? "status" : "alert"} data-testid="login-result">
                ${icon(msg.tone === "ok" ? "check" : "alert")}
                <p>${msg.text}</p>
              </div>
            </div>`
          : nothing
      }
      ${
        this.state === null
          ? html`<p class="loading" role="status">Loading…</p>`
          : html`<div class="grid-2">
              ${this.status(a)}
              ${a && !a.tokenSync ? this.login(a) : nothing}
              ${a && !a.tokenSync ? html`<twc-tesla-tokens></twc-tesla-tokens>` : nothing}
            </div>`
      }`;
  }
}
customElements.define("twc-tesla-account", TeslaAccountPage);
