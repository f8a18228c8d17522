/**
 * The Settings page's "Cars" card (vehicles.md §8.3, §4.9): the Vehicle Command Policy, saved as
 * settings.commandPolicy, or "hard-set via config.json" when `vehicle.commandPolicy` is set there.
 */
import { html, nothing, type TemplateResult } from "lit";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { inFormWords } from "../validate.ts";
import { asPolicy, POLICY_CHOICES, type VehicleConfig } from "../vehicle-settings-model.ts";
import { SettingSaver } from "./setting-save.ts";

const LABELS = { commandPolicy: "Vehicle command policy" } as const;

/** <twc-vehicle-settings .settings .config>. */
export class VehicleSettings extends LightElement {
  static override properties = {
    settings: { attribute: false },
    config: { attribute: false },
  };
  declare settings: Record<string, unknown>;
  declare config: VehicleConfig | null;
  private readonly saver = new SettingSaver(() => this.requestUpdate());

  constructor() {
    super();
    this.settings = {};
    this.config = null;
  }

  private policy(): TemplateResult {
    const fixed = this.config?.commandPolicy ?? null;
    if (fixed !== null) {
      const label = POLICY_CHOICES.find((c) => c.value === fixed)?.label ?? fixed;
      return html`<div class="field">
        <p data-testid="policy-fixed">Vehicle command policy: <strong>${label}</strong> — hard-set via config.json</p>
        <p class="hint">Remove <code>vehicle.commandPolicy</code> from config.json to choose it here.</p>
      </div>`;
    }
    // Unset (or not reported) means the default, prefer_ble.
    const cur = asPolicy(this.saver.merged(this.settings).commandPolicy) ?? "prefer_ble";
    return html`<div class="field">
      <label for="veh-policy">Vehicle command policy</label>
      <select
        id="veh-policy"
        aria-invalid=${this.saver.invalid("commandPolicy")}
        aria-describedby="veh-policy-hint veh-policy-error"
        @change=${(e: Event) => void this.saver.save("commandPolicy", (e.target as HTMLSelectElement).value)}
      >
        ${POLICY_CHOICES.map((c) => html`<option value=${c.value} ?selected=${cur === c.value}>${c.label}</option>`)}
      </select>
      <p class="hint" id="veh-policy-hint">
        Which way start, stop, charging amps and charge limit reach the car when both Bluetooth (tesla-control) and the Tesla
        API are set up. Tesla bills the API's commands; reading the car's state is not affected.
      </p>
      ${this.saver.feedback("commandPolicy", "veh-policy-error")}
    </div>`;
  }

  protected override render(): unknown {
    for (const [k, m] of Object.entries(this.saver.errors)) this.saver.errors[k] = inFormWords(m, LABELS);
    const modules = this.config?.modules ?? [];
    return html`<section class="card form" aria-labelledby="veh-set-title">
      <h2 id="veh-set-title">${icon("plug")} Cars</h2>
      ${modules.length > 0
        ? html`<p class="hint intro">Vehicle modules in config.json: ${modules.join(", ")}. The cars are on the <a href="/vehicles">Vehicles</a> page.</p>`
        : nothing}
      ${this.policy()}
    </section>`;
  }
}
customElements.define("twc-vehicle-settings", VehicleSettings);
