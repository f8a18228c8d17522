/**
 * Vehicle detail (`/vehicleDetail/<VIN>`, vehicles.md §8.4): the VIN decoded, the live record, charge
 * sessions, group membership with Add / Remove (§3.7: entitlement is re-checked by the server), and the
 * BLE Control block with the pairing steps at the car (§4.6, vehicle-ble.ts) when the BLE module runs.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { postAction } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import { errorsFrom, formStatus } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import "../controller-zone.ts";
import { num } from "../settings-model.ts";
import { loadVehicles, type VehiclesLoad } from "../vehicles-data.ts";
import { entitlementText, membership, VEHICLE_LABELS, vehiclesOf, type GroupView } from "../vehicles-model.ts";
import { decodeVin, isValidVin } from "../vin.ts";
import "./vehicle-ble.ts";
import { vehicleFacts } from "./vehicle-facts.ts";

const FIELDS = ["operation", "vin", "group"] as const;

/** <twc-vehicle-detail .vin .state .settings .now>. */
export class VehicleDetail extends FormElement {
  static override properties = {
    vin: { type: String },
    state: { attribute: false },
    settings: { attribute: false },
    now: { type: Number },
    load: { state: true },
  };
  declare vin: string;
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare now: number;
  declare load: VehiclesLoad | null;

  constructor() {
    super();
    this.vin = "";
    this.state = null;
    this.settings = {};
    this.now = 0;
    this.load = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  private async reload(): Promise<void> {
    this.load = await loadVehicles();
  }

  private async setMember(g: GroupView, add: boolean): Promise<void> {
    if (this.busy) return;
    this.ok = null;
    this.busy = true;
    const r = await postAction("/vehicle/groupMgmt", { operation: add ? "add" : "remove", vin: this.vin, group: g.name });
    this.busy = false;
    this.errors = errorsFrom(r, FIELDS, "", VEHICLE_LABELS);
    this.authRequired = !r.ok && r.status === 401;
    if (!r.ok) return;
    this.ok = add ? `Added to “${g.name}”.` : `Removed from “${g.name}”.`;
    afterAction();
    await this.reload();
  }

  private decoded(): TemplateResult {
    const d = decodeVin(this.vin);
    if (d.nonTesla)
      return html`<section class="card" aria-labelledby="vin-title">
        <h2 id="vin-title">VIN</h2>
        <p data-testid="vin-note">
          ${icon("info")} <span class="mono">${this.vin}</span> is not a real VIN: chargers report it for cars that do not
          send theirs (non-Tesla cars, or a TWC with the car link off). Groups set here apply to all such cars.
        </p>
      </section>`;
    const row = (label: string, v: string | number | null): TemplateResult =>
      html`<div>
        <dt>${label}</dt>
        <dd>${v === null ? html`<span class="muted">not in the table</span>` : String(v)}</dd>
      </div>`;
    return html`<section class="card" aria-labelledby="vin-title">
      <h2 id="vin-title">VIN <span class="mono">${this.vin}</span></h2>
      ${
        !d.valid
          ? html`<p class="field-error">${icon("alert")}<span>Not a valid VIN (17 characters of A–Z without I, O, Q, and 0–9).</span></p>`
          : d.manufacturer === null
            ? html`<p class="muted">Not a Tesla VIN this page can decode.</p>`
            : html`<dl class="facts" data-testid="vin-decoded">
                ${row("Maker", d.manufacturer)} ${row("Model", d.model)} ${d.model === "Model 3" ? row("Variant", d.variant) : nothing}
                ${row("Model year", d.year)} ${row("Plant", d.plant)} ${row("Steering", d.drive)}
              </dl>`
      }
    </section>`;
  }

  private groups(groups: GroupView[]): TemplateResult {
    const mode = num(this.settings, "chargeAuthorizationMode");
    return html`<section class="card form" aria-labelledby="vg-title">
      <h2 id="vg-title">Groups</h2>
      <p data-testid="entitlement">${entitlementText(this.vin, groups, mode)}</p>
      <ul class="stack group-list" data-testid="membership">
        ${membership(this.vin, groups).map(
          ({ group, member }) =>
            html`<li data-group=${group.name}>
              <span><strong>${group.name}</strong> — ${member ? "in this group" : html`<span class="muted">not in this group</span>`}</span>
              <button
                type="button"
                class="btn btn-small ${member ? "btn-danger-outline" : ""}"
                ?disabled=${this.busy}
                aria-label="${member ? "Remove from" : "Add to"} ${group.name}"
                @click=${() => void this.setMember(group, !member)}
              >
                ${member ? "Remove" : "Add"}
              </button>
            </li>`,
        )}
      </ul>
      <p class="hint">Custom groups are for your own policies; charging is decided by the built-in groups only.</p>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </section>`;
  }

  protected override render(): unknown {
    const vin = this.vin;
    const live = vehiclesOf(this.state).find((v) => v.vin === vin) ?? null;
    const load = this.load;
    const known = load?.ok ? (load.data.known.find((k) => k.vin === vin) ?? null) : null;
    const title = live?.name && live.name !== vin ? live.name : vin;
    return html`<p class="small"><a href="/vehicles">← Vehicles</a></p>
      <h1>${title}</h1>
      ${load && !load.ok ? html`<p class="field-error" role="alert">${icon("alert")}<span>${load.error}</span></p>` : nothing}
      ${
        !isValidVin(vin)
          ? this.decoded()
          : load === null || this.state === null
            ? html`<p class="loading" role="status">Loading…</p>`
            : html`<div class="grid-2">
                ${this.decoded()}
                <section class="card" aria-labelledby="live-title" data-testid="vehicle-live">
                  <h2 id="live-title">Now</h2>
                  ${!live && !known ? html`<p class="muted">No charger has reported this car and no vehicle module lists it.</p>` : nothing}
                  ${vehicleFacts(live, known, this.now, true)}
                </section>
                ${load.ok ? this.groups(load.data.groups) : nothing}
                <twc-vehicle-ble .vin=${vin}></twc-vehicle-ble>
              </div>`
      }`;
  }
}
customElements.define("twc-vehicle-detail", VehicleDetail);
