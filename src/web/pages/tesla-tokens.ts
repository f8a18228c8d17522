/**
 * Manual token entry (vehicles.md §8.3 "manual token override", §2.3): access and/or refresh token,
 * posted to /teslaAccount/saveToken. Empty fields change nothing; the tokens are never shown back
 * (the fields are cleared after saving; the page only says "logged in, expires at …").
 */
import { html } from "lit";
import { postAction } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import { describedBy, errorsFrom, fieldError, formStatus } from "../components/forms.ts";
import { afterAction } from "../context.ts";
import { checkTokens, VEHICLE_LABELS } from "../vehicles-model.ts";

const FIELDS = ["accessToken", "refreshToken"] as const;

/** <twc-tesla-tokens>. */
export class TeslaTokens extends FormElement {
  static override properties = {
    access: { state: true },
    refresh: { state: true },
  };
  declare access: string;
  declare refresh: string;

  constructor() {
    super();
    this.access = "";
    this.refresh = "";
  }

  private async save(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    this.ok = null;
    const bad = checkTokens(this.access, this.refresh);
    if (bad) {
      this.errors = { accessToken: bad };
      return;
    }
    const body: Record<string, string> = {};
    if (this.access.trim() !== "") body.accessToken = this.access.trim();
    if (this.refresh.trim() !== "") body.refreshToken = this.refresh.trim();
    this.busy = true;
    const r = await postAction("/teslaAccount/saveToken", body);
    this.busy = false;
    this.errors = errorsFrom(r, FIELDS, "", VEHICLE_LABELS);
    this.authRequired = !r.ok && r.status === 401;
    if (!r.ok) return;
    if (r.data !== null && !r.data.endsWith("/success")) {
      this.errors = { "": "The tokens were not accepted (token sync from TeslaMate is on, or no Tesla API module runs)." };
      return;
    }
    this.access = "";
    this.refresh = "";
    this.ok = `Saved ${Object.keys(body).length === 2 ? "both tokens" : body.accessToken ? "the access token" : "the refresh token"}. Tokens are not shown again.`;
    afterAction();
  }

  protected override render(): unknown {
    const inv = (f: string): string => (this.errors[f] ? "true" : "false");
    return html`<form class="card form" novalidate @submit=${(e: Event) => void this.save(e)} aria-labelledby="tok-title">
      <h2 id="tok-title">Enter tokens by hand</h2>
      <p class="hint intro">
        For tokens from another tool. Empty fields change nothing. A refresh token is used to fetch a new access token
        when the access token is missing or expires within the hour. Tokens are kept in settings.json and never shown
        here again.
      </p>
      <div class="field">
        <label for="tok-access">Access token</label>
        <input
          id="tok-access"
          type="password"
          autocomplete="off"
          spellcheck="false"
          class="mono"
          .value=${this.access}
          aria-invalid=${inv("accessToken")}
          aria-describedby=${describedBy(this.errors, "accessToken", "tok-access-error")}
          @input=${(e: Event) => (this.access = (e.target as HTMLInputElement).value)}
        />
        ${fieldError(this.errors, "accessToken", "tok-access-error")}
      </div>
      <div class="field">
        <label for="tok-refresh">Refresh token</label>
        <input
          id="tok-refresh"
          type="password"
          autocomplete="off"
          spellcheck="false"
          class="mono"
          .value=${this.refresh}
          aria-invalid=${inv("refreshToken")}
          aria-describedby=${describedBy(this.errors, "refreshToken", "tok-refresh-error")}
          @input=${(e: Event) => (this.refresh = (e.target as HTMLInputElement).value)}
        />
        ${fieldError(this.errors, "refreshToken", "tok-refresh-error")}
      </div>
      <div class="actions">
        <button type="submit" class="btn" ?disabled=${this.busy}>Save tokens</button>
      </div>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </form>`;
  }
}
customElements.define("twc-tesla-tokens", TeslaTokens);
