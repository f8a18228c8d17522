/** Home location (http-api.md §7.11): latitude / longitude, device location, resulting sunrise and sunset. */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { FormElement } from "../components/form-element.ts";
import { describedBy, fieldError, formStatus } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import { hourLabel } from "../format.ts";
import { num } from "../settings-model.ts";

const FIELDS = ["lat", "lon"] as const;

/** <twc-location .state .settings>. */
export class LocationForm extends FormElement {
  static override properties = {
    state: { attribute: false },
    settings: { attribute: false },
    lat: { state: true },
    lon: { state: true },
  };
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare lat: string | null;
  declare lon: string | null;

  constructor() {
    super();
    this.state = null;
    this.settings = {};
    this.lat = null;
    this.lon = null;
  }

  private known(key: "homeLat" | "homeLon"): string {
    const v = num(this.settings, key);
    return v === null || v === 10000 ? "" : String(v);
  }

  private async save(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    const lat = (this.lat ?? this.known("homeLat")).trim();
    const lon = (this.lon ?? this.known("homeLon")).trim();
    const r = await this.postForm(
      "/api/setLatLon",
      {
        lat: lat === "" ? null : lat,
        lon: lon === "" ? null : lon,
      },
      FIELDS,
    );
    this.ok = r.ok ? "Location saved; sunrise and sunset are recalculated." : null;
    // Keep showing what was saved (the settings endpoint, when present, reports the same values).
    if (r.ok) afterAction();
  }

  private locate(): void {
    this.ok = null;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        this.lat = pos.coords.latitude.toFixed(4);
        this.lon = pos.coords.longitude.toFixed(4);
        this.ok = "Location filled in from this device; press Save to use it.";
      },
      (err) => (this.errors = { "": `This device's location is not available: ${err.message}` }),
      { timeout: 15000 },
    );
  }

  /** The latitude or longitude input, ±`limit` degrees, with its error. */
  private coordField(field: (typeof FIELDS)[number], label: string, limit: number, example: string): unknown {
    const known = this.known(field === "lat" ? "homeLat" : "homeLon");
    return html`<div class="field">
      <label for="loc-${field}">${label}</label>
      <input
        id="loc-${field}"
        type="number"
        step="any"
        min=${-limit}
        max=${limit}
        inputmode="decimal"
        placeholder="e.g. ${example}"
        .value=${this[field] ?? known}
        aria-invalid=${this.errors[field] ? "true" : "false"}
        aria-describedby=${describedBy(this.errors, field, `loc-${field}-error`, "loc-hint")}
        @input=${(e: Event) => (this[field] = (e.target as HTMLInputElement).value)}
      />
      ${fieldError(this.errors, field, `loc-${field}-error`)}
    </div>`;
  }

  protected override render(): unknown {
    const s = this.state;
    if (!s) return nothing;
    const canLocate = "geolocation" in navigator && window.isSecureContext;
    return html`<form
      class="card form"
      aria-labelledby="loc-title"
      novalidate
      @submit=${(e: Event) => void this.save(e)}
    >
      <h2 id="loc-title">${icon("home")} Home location</h2>
      <p class="hint intro" id="loc-hint">
        Used to work out sunrise and sunset on this server (no internet access needed).
      </p>
      <div class="form-row">
        ${this.coordField("lat", "Latitude", 90, "52.37")} ${this.coordField("lon", "Longitude", 180, "4.90")}
      </div>
      <p class="sun-times" aria-live="polite">
        ${icon("sun")} Sunrise <strong>${hourLabel(s.schedule.sunriseHour)}</strong> · sunset
        <strong>${hourLabel(s.schedule.sunsetHour)}</strong>
      </p>
      <div class="actions">
        <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>
          ${icon("check")}Save location
        </button>
        ${canLocate ? html`<button type="button" class="btn" @click=${() => this.locate()}>Use this device's location</button>` : nothing}
      </div>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </form>`;
  }
}
customElements.define("twc-location", LocationForm);
