/**
 * Vehicles page (`/vehicles`, vehicles.md §8.4, issue 14 §4, issue 15 §5): every car with its state of
 * charge, limit, at home, charging state, last seen, charger, command path and last command; the Tesla
 * account in one line; the vehicle groups. Live values come from the state stream, the cars the
 * chargers reported and the groups from GET /api/v2/vehicles.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import "../controller-zone.ts";
import { fmtDateTime } from "../format.ts";
import { loadVehicles, type VehiclesLoad } from "../vehicles-data.ts";
import { accountOf, vehicleRows, vehiclesOf, type TeslaAccountDoc, type VehicleRow } from "../vehicles-model.ts";
import { vehicleFacts } from "./vehicle-facts.ts";
import "./vehicle-groups.ts";

/** The Tesla account in one line, with the link to its page. */
export function accountLine(a: TeslaAccountDoc | null): TemplateResult {
  if (a === null)
    return html`<p class="muted" data-testid="account-line">
      Tesla account: the Tesla API module is not running (<code>vehicle.teslaAPI</code> in config.json).
      <a href="/teslaAccount">How to set it up</a>
    </p>`;
  if (a.loggedIn)
    return html`<p data-testid="account-line">
      ${icon("check")} Tesla account: logged in, token expires ${fmtDateTime(a.tokenExpiresAt)}${a.tokenSync ? " (tokens from TeslaMate)" : ""}.
      <a href="/teslaAccount">Tesla account</a>
    </p>`;
  return html`<p data-testid="account-line">
    ${icon("alert")} Tesla account: not logged in.
    <a href="/teslaAccount">${a.configured && !a.tokenSync ? "Log in to Tesla" : "Tesla account"}</a>
  </p>`;
}

/** <twc-vehicles .state .now>. */
export class VehiclesPage extends LightElement {
  static override properties = {
    state: { attribute: false },
    now: { type: Number },
    load: { state: true },
  };
  declare state: StateDocument | null;
  declare now: number;
  declare load: VehiclesLoad | null;
  private seenKey = "";

  constructor() {
    super();
    this.state = null;
    this.now = 0;
    this.load = null;
  }

  protected override willUpdate(): void {
    // Re-read the known cars and groups when the live list changes (a car listed, a VIN on a charger).
    const key = vehiclesOf(this.state)
      .map((v) => `${v.vin}:${v.twcId ?? ""}`)
      .join(",") + `|${(this.state?.chargers ?? []).map((c) => `${c.vin.current ?? ""}/${c.vin.last ?? ""}`).join(",")}`;
    if (key !== this.seenKey) {
      this.seenKey = key;
      void this.reload();
    }
  }

  private async reload(): Promise<void> {
    this.load = await loadVehicles();
  }

  private card(row: VehicleRow): TemplateResult {
    return html`<article class="card vehicle-card" data-testid="vehicle" data-vin=${row.vin} aria-labelledby="veh-${row.vin}">
      <div class="card-head">
        <h2 id="veh-${row.vin}"><a href="/vehicleDetail/${row.vin}">${row.name}</a></h2>
        <span class="mono small" data-fact="vin">${row.vin}</span>
      </div>
      ${vehicleFacts(row.live, row.known, this.now)}
    </article>`;
  }

  private empty(a: TeslaAccountDoc | null): TemplateResult {
    return html`<section class="card" data-testid="vehicles-empty" aria-labelledby="veh-empty-title">
      <h2 id="veh-empty-title">No cars yet</h2>
      <p>Cars appear here in two ways:</p>
      <ol>
        <li>
          <strong>From your Tesla account</strong>: turn on <code>vehicle.teslaAPI</code> in config.json, set
          <code>teslaApiClientID</code> and <code>teslaApiRedirectUri</code> in its <code>config</code> section, and
          log in on the <a href="/teslaAccount">Tesla account page</a>${a?.loggedIn ? " (you are logged in: the car list is read at the first vehicle operation)" : ""}.
        </li>
        <li><strong>From the chargers</strong>: a car whose charger reports its VIN is listed after it plugs in.</li>
      </ol>
    </section>`;
  }

  protected override render(): unknown {
    const s = this.state;
    const account = accountOf(s);
    const load = this.load;
    const rows = vehicleRows(vehiclesOf(s), load?.ok ? load.data.known : []);
    return html`<h1>Vehicles</h1>
      ${accountLine(account)}
      ${load && !load.ok ? html`<p class="field-error" role="alert">${icon("alert")}<span>${load.error}</span></p>` : nothing}
      ${
        s === null || load === null
          ? html`<p class="loading" role="status">Loading…</p>`
          : html`<div class="grid-2">
              ${rows.length === 0 ? this.empty(account) : rows.map((r) => this.card(r))}
              ${load.ok ? html`<twc-vehicle-groups class="span-2" .groups=${load.data.groups} @groups-changed=${() => void this.reload()}></twc-vehicle-groups>` : nothing}
            </div>`
      }`;
  }
}
customElements.define("twc-vehicles", VehiclesPage);
