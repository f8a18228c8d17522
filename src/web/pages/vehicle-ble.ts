/**
 * The vehicle page's "BLE Control" block (vehicles.md §4.6, §8.4, issue 15 §1): shown when the Tesla
 * BLE module is configured. The car's pairing state, what to do at the car, and "Pair with Vehicle",
 * which sends the key request over Bluetooth (up to 30 s) through POST /api/v2/vehicles/<VIN>/ble/pair.
 * When tesla-control or the adapter is missing, the module's alert says what to install instead.
 */
import { html, nothing, type TemplateResult } from "lit";
import { getJson, postJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import "../controller-zone.ts";
import { fmtDateTime } from "../format.ts";
import { pairButton, pairingText, parseBle, type BleCarView, type BleView } from "../ble-model.ts";

/** <twc-vehicle-ble .vin>: renders nothing without a BLE module. */
export class VehicleBle extends LightElement {
  static override properties = {
    vin: { type: String },
    ble: { state: true },
    busy: { state: true },
    ok: { state: true },
    error: { state: true },
  };
  declare vin: string;
  declare ble: BleView | null;
  declare busy: boolean;
  declare ok: string | null;
  declare error: string | null;

  constructor() {
    super();
    this.vin = "";
    this.ble = null;
    this.busy = false;
    this.ok = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  private async reload(): Promise<void> {
    const r = await getJson("/api/v2/vehicles/ble");
    this.ble = r.ok ? parseBle(r.data) : null;
  }

  private async pair(): Promise<void> {
    if (this.busy) return;
    this.ok = null;
    this.error = null;
    this.busy = true;
    const r = await postJson(`/api/v2/vehicles/${encodeURIComponent(this.vin)}/ble/pair`, {});
    this.busy = false;
    if (r.ok) {
      const d = (r.data ?? {}) as { instructions?: unknown };
      this.ok = `Key request sent. ${typeof d.instructions === "string" && d.instructions !== "" ? d.instructions : "Tap your key card on the car's card reader and confirm the new key on the car's screen."}`;
      afterAction();
    } else {
      this.error = r.status === 401 ? "Sign in to pair the car." : r.error;
    }
    await this.reload();
  }

  private outcome(label: string, o: BleCarView["lastPairing"]): TemplateResult | typeof nothing {
    if (!o) return nothing;
    return html`<div>
      <dt>${label}</dt>
      <dd data-fact=${label === "Last pairing request" ? "ble-last-pairing" : "ble-last-command"}>
        <span class=${o.ok ? "ok-text" : "field-error"}>${o.operation}: ${o.ok ? "done" : "failed"}${o.message !== "" ? ` — ${o.message}` : ""}</span>
        <span class="muted small">${fmtDateTime(o.at)}</span>
      </dd>
    </div>`;
  }

  protected override render(): unknown {
    const ble = this.ble;
    if (ble === null || (!ble.loaded && ble.alerts.length === 0)) return nothing;
    const car = ble.cars.find((c) => c.vin === this.vin) ?? null;
    const pairing = car?.pairing ?? "unpaired";
    return html`<section class="card" aria-labelledby="ble-title" data-testid="ble-control">
      <h2 id="ble-title">BLE Control</h2>
      ${ble.alerts.map((a) => html`<p class="field-error" data-testid="ble-alert">${icon("alert")}<span>${a.message}</span></p>`)}
      ${
        !ble.loaded
          ? nothing
          : car === null
            ? html`<p class="muted">Bluetooth control works for the cars the chargers have reported; this car is not one of them yet.</p>`
            : html`<p data-testid="ble-status">${pairing === "peered" ? icon("check") : nothing} ${pairingText(pairing)}</p>
                ${car.instructions !== "" ? html`<p class="hint" data-testid="ble-instructions">${car.instructions}</p>` : nothing}
                <ol class="steps">
                  <li>Take a key card and sit in the car; TWCManager's Bluetooth adapter must be within a few metres.</li>
                  <li>Press “${pairButton(pairing)}” below.</li>
                  <li>Within 30 seconds, tap the key card on the card reader (Model 3 and Y: the centre console behind the cup holders) and confirm the new key on the car's screen.</li>
                  <li>The status says “Paired” after the first Bluetooth command that works.</li>
                </ol>
                <dl class="facts">
                  ${this.outcome("Last pairing request", car.lastPairing)} ${this.outcome("Last Bluetooth command", car.lastCommand)}
                  ${car.breakerOpenUntil ? html`<div><dt>Paused</dt><dd>After repeated failures, no Bluetooth command until ${fmtDateTime(car.breakerOpenUntil)}</dd></div>` : nothing}
                </dl>
                <div class="actions">
                  <button type="button" class="btn btn-primary" ?disabled=${this.busy || pairing === "no_key"} @click=${() => void this.pair()}>
                    ${this.busy ? "Sending the key request…" : pairButton(pairing)}
                  </button>
                </div>`
      }
      <div class="form-status" role="status" aria-live="polite">
        ${this.error ? html`<p class="field-error">${icon("alert")}<span>${this.error}</span></p>` : nothing}
        ${this.ok ? html`<p class="ok-text">${icon("check")}<span>${this.ok}</span></p>` : nothing}
      </div>
    </section>`;
  }
}
customElements.define("twc-vehicle-ble", VehicleBle);
