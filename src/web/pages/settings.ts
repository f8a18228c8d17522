/** Settings page (`/settings`, http-api.md §10): charging behaviour, modes, offsets, home location. */
import { html, nothing, type TemplateResult } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { getJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { flag, num } from "../settings-model.ts";
import { inFormWords } from "../validate.ts";
import { hasVehicleModule, vehicleConfigOf, type VehicleConfig } from "../vehicle-settings-model.ts";
import "./location.ts";
import "./mqtt-topics.ts";
import "./offsets.ts";
import { SettingSaver } from "./setting-save.ts";
import "./vehicle-settings.ts";

interface Choice {
  value: number;
  label: string;
  needsVehicle?: boolean;
}

const ACTIONS: Choice[] = [
  { value: 1, label: "Charge at the non-scheduled rate" },
  { value: 2, label: "Do not charge (also turns daytime solar tracking off)" },
  { value: 3, label: "Track green energy at all hours" },
];
const STOP_MODES: Choice[] = [
  { value: 1, label: "1 — Vehicle API (stops the car through its vehicle module)" },
  { value: 2, label: "2 — Stop responding to chargers (cars may need a re-plug after ~3 stops)" },
  { value: 3, label: "3 — Charger stop command (needs TWC firmware 4.5.3 or later)" },
];
const AUTH_MODES: Choice[] = [
  { value: 1, label: "1 — Allow every car unless it is in “Deny Charging”" },
  { value: 2, label: "2 — Only cars in “Allow Charging”" },
];
/** The settings' keys in this page's words (server messages are shown in them). */
const LABELS = {
  nonScheduledAction: "Non-scheduled action",
  nonScheduledAmpsMax: "Non-scheduled rate",
  chargeStopMode: "Charge stop mode",
  chargeAuthorizationMode: "Charge authorisation mode",
  chargeRateControl: "Charge rate control",
  sendServerTime: "Send server time",
} as const;

const RATE_MODES: Choice[] = [
  { value: 1, label: "1 — The charger sets the rate" },
  { value: 2, label: "2 — Vehicle API: the car is asked for the rate (needs a vehicle module)", needsVehicle: true },
  { value: 3, label: "3 — Mixed: the car's rate and the charger's offer (needs a vehicle module)", needsVehicle: true },
];

/** <twc-settings .state .settings .full>. */
export class SettingsPage extends LightElement {
  static override properties = {
    state: { attribute: false },
    settings: { attribute: false },
    full: { type: Boolean },
    serverTime: { state: true },
    vehicleConfig: { state: true },
  };
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare full: boolean;
  /** sendServerTime as seen in getStatus (currentServerTime is present only when it is on). */
  declare serverTime: boolean | null;
  /** The vehicle sections of config.json (GET /api/getConfig), null until read or when unreadable. */
  declare vehicleConfig: VehicleConfig | null;
  private readonly saver = new SettingSaver(() => this.requestUpdate());

  constructor() {
    super();
    this.state = null;
    this.settings = {};
    this.full = false;
    this.serverTime = null;
    this.vehicleConfig = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.readServerTime();
    void this.readConfig();
  }

  private async readConfig(): Promise<void> {
    const r = await getJson("/api/getConfig");
    if (r.ok) this.vehicleConfig = vehicleConfigOf(r.data);
  }

  private async readServerTime(): Promise<void> {
    const r = await getJson("/api/getStatus");
    if (r.ok && typeof r.data === "object" && r.data !== null)
      this.serverTime = Object.hasOwn(r.data, "currentServerTime");
  }

  private select(id: string, key: string, label: string, choices: Choice[], hint: string): TemplateResult {
    const cur = num(this.saver.merged(this.settings), key);
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <select
        id=${id}
        aria-invalid=${this.saver.invalid(key)}
        aria-describedby="${id}-hint ${id}-error"
        @change=${(e: Event) => void this.saver.save(key, Number((e.target as HTMLSelectElement).value))}
      >
        ${cur === null ? html`<option value="" disabled selected>Unknown — choose one</option>` : nothing}
        ${choices.map(
          (c) =>
            html`<option
              value=${c.value}
              ?selected=${cur === c.value}
              ?disabled=${c.needsVehicle === true && cur !== c.value && !this.vehicles()}
            >
              ${c.label}
            </option>`,
        )}
      </select>
      <p class="hint" id="${id}-hint">${hint}</p>
      ${this.saver.feedback(key, `${id}-error`)}
    </div>`;
  }

  private behaviour(s: StateDocument): TemplateResult {
    const action = s.schedule.nonScheduledAction;
    const max = s.budget.wiringMaxAmpsAllTWCs;
    return html`<section class="card form" aria-labelledby="beh-title">
      <h2 id="beh-title">Outside the schedule</h2>
      <fieldset aria-describedby="set-action-error">
        <legend>Non-scheduled action</legend>
        ${ACTIONS.map(
          (c) =>
            html`<label class="radio"
              ><input
                type="radio"
                name="nsa"
                .value=${String(c.value)}
                .checked=${action === c.value}
                @change=${() => void this.saver.save("nonScheduledAction", c.value)}
              /><span>${c.label}</span></label
            >`,
        )}
        ${this.saver.feedback("nonScheduledAction", "set-action-error")}
      </fieldset>
      <div class="field">
        <label for="set-nsa-amps">Non-scheduled rate (A)</label>
        <input
          id="set-nsa-amps"
          type="number"
          inputmode="numeric"
          min="0"
          max=${max}
          step="1"
          .value=${String(s.schedule.nonScheduledAmps)}
          aria-invalid=${this.saver.invalid("nonScheduledAmpsMax")}
          aria-describedby="set-nsa-amps-hint set-nsa-amps-error"
          @change=${(e: Event) => void this.saver.save("nonScheduledAmpsMax", (e.target as HTMLInputElement).value)}
        />
        <p class="hint" id="set-nsa-amps-hint">
          0–${max} A shared by all chargers; saved when you leave the field.
        </p>
        ${this.saver.feedback("nonScheduledAmpsMax", "set-nsa-amps-error")}
      </div>
    </section>`;
  }

  /** A vehicle module runs (modes 1 / 2 / 3 can act on a car). */
  private vehicles(): boolean {
    return hasVehicleModule(this.state, this.vehicleConfig);
  }

  private modes(): TemplateResult {
    const car = this.vehicles();
    const sst = flag(this.saver.merged(this.settings), "sendServerTime") ?? this.serverTime;
    return html`<section class="card form row-span-2" aria-labelledby="modes-title">
      <h2 id="modes-title">Modes</h2>
      ${this.full ? nothing : html`<p class="hint intro">${icon("info")} This server does not report these settings, so their current values are not shown.</p>`}
      ${this.select("set-stop", "chargeStopMode", "Charge stop mode", STOP_MODES, car ? "How a car is stopped when the budget drops below the minimum. Mode 1 asks the car through its vehicle module." : "How a car is stopped when the budget drops below the minimum. Mode 1 needs a vehicle module, which is not available.")}
      ${this.select("set-auth", "chargeAuthorizationMode", "Charge authorisation mode", AUTH_MODES, "Which cars may charge, by the vehicle groups.")}
      ${this.select("set-rate", "chargeRateControl", "Charge rate control", RATE_MODES, car ? "Modes 2 and 3 set the charging amps through the car's vehicle module." : "Modes 2 and 3 need a vehicle module, which is not available; without one they act like mode 1.")}
      <div class="field field-inline">
        <input
          id="set-sst"
          type="checkbox"
          class="switch"
          .checked=${sst === true}
          .indeterminate=${sst === null}
          aria-invalid=${this.saver.invalid("sendServerTime")}
          aria-describedby="set-sst-hint set-sst-error"
          @change=${(e: Event) => void this.saver.save("sendServerTime", (e.target as HTMLInputElement).checked)}
        />
        <label for="set-sst">Send server time</label>
      </div>
      <p class="hint" id="set-sst-hint">
        Adds the server's clock to <code>/api/getStatus</code> (for the legacy web pages).
      </p>
      ${this.saver.feedback("sendServerTime", "set-sst-error")}
    </section>`;
  }

  protected override render(): unknown {
    const s = this.state;
    // The server's messages name the setting's key: say them in this page's words.
    for (const [k, m] of Object.entries(this.saver.errors)) this.saver.errors[k] = inFormWords(m, LABELS);
    if (!s)
      return html`<h1>Settings</h1>
        <p class="loading" role="status">Loading…</p>`;
    return html`<h1>Settings</h1>
      <div class="grid-2">
        ${this.behaviour(s)} ${this.modes()}
        <twc-location .state=${s} .settings=${this.settings}></twc-location>
        ${this.vehicles() ? html`<twc-vehicle-settings .settings=${this.settings} .config=${this.vehicleConfig}></twc-vehicle-settings>` : nothing}
        <twc-offsets class="span-2" .state=${s}></twc-offsets>
        <twc-mqtt-topics class="span-2" .state=${s}></twc-mqtt-topics>
      </div>`;
  }
}
customElements.define("twc-settings", SettingsPage);
