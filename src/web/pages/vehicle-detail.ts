/**
 * Vehicle detail (`/vehicleDetail/<VIN>`, vehicles.md §8.4): the VIN decoded, the live record, charge
 * sessions, group membership with Add / Remove (§3.7: entitlement is re-checked by the server), and the
 * BLE Control block with the pairing steps at the car (§4.6) when the BLE module is loaded.
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
import { vehicleFacts } from "./vehicle-facts.ts";

const FIELDS = ["operation", "vin", "group"] as const;

/** The BLE pairing status of a VIN: from the vehicle list, else settings.Vehicles[VIN].BLEPeeringStatus. */
function pairingOf(vin: string, load: VehiclesLoad | null, settings: Readonly<Record<string, unknown>>): string | null {
  const k = load?.ok ? load.data.known.find((x) => x.vin === vin) : undefined;
  if (typeof k?.blePairing === "string") return k.blePairing;
  const vs = settings.Vehicles;
  const entry = typeof vs === "object" && vs !== null ? (vs as Record<string, unknown>)[vin] : undefined;
  const st = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).BLEPeeringStatus : undefined;
  return typeof st === "string" ? st : null;
}

/** <twc-vehicle-detail .vin .state .settings .now>. */
export class VehicleDetail extends FormElement {
  static override properties = {
    vin: { type: String },
    state: { attribute: false },
    settings: { attribute: false },
    now: { type: Number },
    load: { state: true },
    pairOk: { state: true },
    pairError: { state: true },
  };
  declare vin: string;
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare now: number;
  declare load: VehiclesLoad | null;
  declare pairOk: string | null;
  declare pairError: string | null;

  constructor() {
    super();
    this.vin = "";
    this.state = null;
    this.settings = {};
    this.now = 0;
    this.load = null;
    this.pairOk = null;
    this.pairError = null;
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

  private async pair(): Promise<void> {
    this.pairOk = null;
    this.pairError = null;
    this.busy = true;
    const r = await postAction("/vehicle/localMgmt", { operation: "pair", vin: this.vin });
    this.busy = false;
    if (r.ok) {
      this.pairOk = "Pairing requested. Now tap your key card on the car's card reader and confirm on the car's screen.";
      afterAction();
      await this.reload();
    } else {
      this.pairError = r.error;
      this.authRequired = r.status === 401;
    }
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

  private ble(pairing: string | null): TemplateResult {
    const peered = pairing === "peered";
    return html`<section class="card" aria-labelledby="ble-title" data-testid="ble-control">
      <h2 id="ble-title">BLE Control</h2>
      <p data-testid="ble-status">
        ${peered ? html`${icon("check")} Paired: commands go over Bluetooth.` : pairing === "requested" ? "Pairing requested; not confirmed by a Bluetooth command yet." : "Not paired."}
      </p>
      <ol class="steps">
        <li>Take the car's key card and sit in the car; the controller must be within Bluetooth range (a few metres).</li>
        <li>Press “${peered ? "Re-pair with Vehicle" : "Pair with Vehicle"}” below.</li>
        <li>Within 30 seconds, tap the key card on the car's card reader (Model 3 and Y: on the centre console behind the cup holders) and confirm the new key on the car's screen.</li>
        <li>The status shows “Paired” after the first successful Bluetooth command.</li>
      </ol>
      <div class="actions">
        <button type="button" class="btn btn-primary" ?disabled=${this.busy} @click=${() => void this.pair()}>
          ${peered ? "Re-pair with Vehicle" : "Pair with Vehicle"}
        </button>
      </div>
      <div class="form-status" role="status" aria-live="polite">
        ${this.pairError ? html`<p class="field-error">${icon("alert")}<span>${this.pairError}</span></p>` : nothing}
        ${this.pairOk ? html`<p class="ok-text">${icon("check")}<span>${this.pairOk}</span></p>` : nothing}
      </div>
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
                ${load.ok && load.data.ble ? this.ble(pairingOf(vin, load, this.settings)) : nothing}
              </div>`
      }`;
  }
}
customElements.define("twc-vehicle-detail", VehicleDetail);
