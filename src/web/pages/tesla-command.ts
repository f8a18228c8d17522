/**
 * The Debug page's Tesla API command (vehicles.md §8.5): command, car (value = Tesla id), parameters as
 * JSON text, posted to /api/sendTeslaAPICommand. It goes to the Fleet API directly (no router, no
 * commandPolicy). Errors are shown next to the field they name, in the form's words.
 */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { FormElement } from "../components/form-element.ts";
import { describedBy, fieldError, formStatus, inWords } from "../components/forms.ts";
import { afterAction } from "../context.ts";
import { accountOf, checkTeslaCommand, VEHICLE_LABELS, vehiclesOf } from "../vehicles-model.ts";

type Command = "setChargeRate" | "wakeVehicle";
const DEFAULT_PARAMETERS: Record<Command, string> = { setChargeRate: '{ "charge_rate": 5 }', wakeVehicle: "{}" };
const FIELDS = ["commandName", "vehicleID", "parameters", "charge_rate"] as const;

/** <twc-tesla-command .state>. */
export class TeslaCommand extends FormElement {
  static override properties = {
    state: { attribute: false },
    command: { state: true },
    vehicle: { state: true },
    parameters: { state: true },
  };
  declare state: StateDocument | null;
  declare command: Command;
  declare vehicle: string;
  declare parameters: string;

  constructor() {
    super();
    this.state = null;
    this.command = "setChargeRate";
    this.vehicle = "";
    this.parameters = DEFAULT_PARAMETERS.setChargeRate;
  }

  private async send(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    this.ok = null;
    const cars = vehiclesOf(this.state).filter((v) => v.id !== null);
    const vehicle = this.vehicle !== "" ? this.vehicle : String(cars[0]?.id ?? "");
    const max = this.state?.budget.wiringMaxAmpsAllTWCs ?? 80;
    const bad = checkTeslaCommand(this.command, vehicle, this.parameters, max);
    this.errors = bad;
    if (Object.keys(bad).length > 0) return;
    const r = await this.postForm(
      "/api/sendTeslaAPICommand",
      { commandName: this.command, vehicleID: vehicle, parameters: this.parameters },
      FIELDS,
    );
    // charge_rate is inside the parameters: its message goes under that field.
    const { charge_rate: rate, ...rest } = this.errors;
    this.errors = inWords(rate !== undefined ? { ...rest, parameters: rate } : rest, VEHICLE_LABELS);
    if (!r.ok) return;
    const name = cars.find((c) => String(c.id) === vehicle)?.name ?? vehicle;
    this.ok = this.command === "wakeVehicle" ? `Wake-up sent to ${name}.` : `Charge rate sent to ${name}.`;
    afterAction();
  }

  protected override render(): unknown {
    const account = accountOf(this.state);
    const cars = vehiclesOf(this.state).filter((v) => v.id !== null);
    if (account === null)
      return html`<section class="card" aria-labelledby="tcmd-title">
        <h2 id="tcmd-title">Tesla API command</h2>
        <p class="muted">Needs the Tesla API module (<code>vehicle.teslaAPI</code>), which is not running.</p>
      </section>`;
    const inv = (f: string): string => (this.errors[f] ? "true" : "false");
    return html`<form class="card form" novalidate @submit=${(e: Event) => void this.send(e)} aria-labelledby="tcmd-title">
      <h2 id="tcmd-title">Tesla API command</h2>
      <p class="hint intro">Sent to the Fleet API directly, whatever the command policy says (and billed by Tesla).</p>
      <div class="field">
        <label for="tcmd-command">Command</label>
        <select
          id="tcmd-command"
          aria-invalid=${inv("commandName")}
          aria-describedby=${describedBy(this.errors, "commandName", "tcmd-command-error")}
          @change=${(e: Event) => {
            this.command = (e.target as HTMLSelectElement).value as Command;
            this.parameters = DEFAULT_PARAMETERS[this.command];
          }}
        >
          <option value="setChargeRate" ?selected=${this.command === "setChargeRate"}>Set Charge Rate</option>
          <option value="wakeVehicle" ?selected=${this.command === "wakeVehicle"}>Wake Up Vehicle</option>
        </select>
        ${fieldError(this.errors, "commandName", "tcmd-command-error")}
      </div>
      <div class="field">
        <label for="tcmd-vehicle">Vehicle</label>
        <select
          id="tcmd-vehicle"
          aria-invalid=${inv("vehicleID")}
          aria-describedby=${describedBy(this.errors, "vehicleID", "tcmd-vehicle-error")}
          @change=${(e: Event) => (this.vehicle = (e.target as HTMLSelectElement).value)}
        >
          ${cars.length === 0 ? html`<option value="" selected>No car listed yet</option>` : nothing}
          ${cars.map((c) => html`<option value=${String(c.id)} ?selected=${this.vehicle === String(c.id)}>${c.name}</option>`)}
        </select>
        ${fieldError(this.errors, "vehicleID", "tcmd-vehicle-error")}
      </div>
      <div class="field">
        <label for="tcmd-params">Parameters</label>
        <textarea
          id="tcmd-params"
          class="mono"
          rows="3"
          spellcheck="false"
          .value=${this.parameters}
          aria-invalid=${inv("parameters")}
          aria-describedby=${describedBy(this.errors, "parameters", "tcmd-params-error", "tcmd-params-hint")}
          @input=${(e: Event) => (this.parameters = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
        <p class="hint" id="tcmd-params-hint">JSON. Set Charge Rate takes <code>charge_rate</code> in amps.</p>
        ${fieldError(this.errors, "parameters", "tcmd-params-error")}
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>Send Tesla API Command</button>
      </div>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </form>`;
  }
}
customElements.define("twc-tesla-command", TeslaCommand);
