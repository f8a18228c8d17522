/** One charger's panel on the dashboard. */
import { html, nothing, type TemplateResult } from "lit";
import type { Charger, VehicleDoc } from "../../state/types.ts";
import { LightElement } from "../components/base.ts";
import { icon, type IconName } from "../components/icons.ts";
import { fmtA, fmtClock, fmtDuration, fmtKWh, fmtV, fmtW, isoMs } from "../format.ts";

interface StateWords {
  words: string;
  icon: IconName;
  cls: string;
}

/** Plain words for a charger state (twc-protocol.md §4.3). */
export function stateWords(c: Pick<Charger, "stateName" | "state" | "charging">): StateWords {
  switch (c.stateName) {
    case "charging":
      return { words: "Charging", icon: "bolt", cls: "st-charging" };
    case "starting":
      return { words: "Starting to charge", icon: "bolt", cls: "st-charging" };
    case "ready":
      return c.charging
        ? { words: "Charging", icon: "bolt", cls: "st-charging" }
        : { words: "Ready", icon: "dot", cls: "st-idle" };
    case "error":
      return { words: "Error", icon: "alert", cls: "st-error" };
    case "pluggedNoCharge":
      return { words: "Plugged in, not charging", icon: "pause", cls: "st-plugged" };
    case "pluggedReady":
      return { words: "Plugged in, ready to charge", icon: "plug", cls: "st-plugged" };
    case "busy":
      return { words: "Busy", icon: "clock", cls: "st-idle" };
    case "raiseAck":
    case "lowerAck":
    case "limitAck":
    case "adjustDone":
      return { words: "Adjusting the charge rate", icon: "bolt", cls: "st-charging" };
    default:
      return { words: `Unknown state (code ${c.state})`, icon: "question", cls: "st-idle" };
  }
}

/** The status label: "Not responding" once the charger is silent past the link timeout (issue 12 §4), else its state. */
export function statusWords(c: Pick<Charger, "stateName" | "state" | "charging" | "responding" | "lastAnswerAt">): StateWords {
  if (c.responding !== false) return stateWords(c);
  const last = c.lastAnswerAt ?? null;
  return { words: `Not responding${last === null ? "" : ` · last answer ${fmtClock(last)}`}`, icon: "alert", cls: "st-error" };
}

/** The car's state of charge and limit for the card ("54 % · limit 80 %"), null while the SoC is unknown (vehicles.md §8.2). */
export function socWords(car: Pick<VehicleDoc, "batteryLevel" | "chargeLimit"> | null): string | null {
  if (car === null || car.batteryLevel === null) return null;
  return `${Math.round(car.batteryLevel)} %${car.chargeLimit === null ? "" : ` · limit ${Math.round(car.chargeLimit)} %`}`;
}

/** <twc-charger-card .charger .now .sessionKWh .car>: `car` is the vehicle module's car on this charger. */
export class ChargerCard extends LightElement {
  static override properties = {
    charger: { attribute: false },
    now: { type: Number },
    sessionKWh: { attribute: false },
    car: { attribute: false },
  };
  declare charger: Charger | null;
  declare now: number;
  declare sessionKWh: number | null;
  declare car: VehicleDoc | null;

  constructor() {
    super();
    this.charger = null;
    this.now = 0;
    this.sessionKWh = null;
    this.car = null;
  }

  /** The car from the vehicle module: its name (to the Vehicles page) and state of charge; nothing without one. */
  private carFacts(): TemplateResult | typeof nothing {
    const car = this.car;
    if (!car) return nothing;
    const soc = socWords(car);
    return html`<div>
        <dt>Car</dt>
        <dd data-testid="car"><a href="/vehicleDetail/${encodeURIComponent(car.vin)}">${car.name}</a></dd>
      </div>
      ${soc === null
        ? nothing
        : html`<div>
            <dt>${car.vin === this.charger?.vin.current ? "SoC" : "Last SoC"}</dt>
            <dd data-testid="soc">${soc}</dd>
          </div>`}`;
  }

  private voltage(c: Charger): TemplateResult {
    const reported = (
      [
        ["A", c.voltage.a],
        ["B", c.voltage.b],
        ["C", c.voltage.c],
      ] as [string, number][]
    ).filter(([, v]) => v > 0);
    if (reported.length === 0) return html`<span class="muted">Not reported yet</span>`;
    // Only the phases the charger reports; the unused ones of a single-phase supply read 0 V.
    return html`${reported.map(([p, v], i) => html`${i > 0 ? " · " : ""}<span class="nowrap">${p}: ${fmtV(v)}</span>`)}${
      reported.length === 1 ? html` <span class="muted">(single phase)</span>` : nothing
    }`;
  }

  protected override render(): unknown {
    const c = this.charger;
    if (!c) return nothing;
    const st = statusWords(c);
    const hid = `charger-${c.id}`;
    const since = isoMs(c.chargingSince);
    const beat = isoMs(c.lastHeartbeatAt);
    const session = c.charging && Number.isFinite(since) ? fmtDuration(this.now - since) : null;
    const summary = `Charger ${c.id}: ${st.words}, offered ${c.ampsOffered === null ? "unknown" : `${Math.round(c.ampsOffered)} A`}, drawing ${Math.round(c.reportedAmpsActual)} A`;
    return html`<article class="card charger" aria-labelledby=${hid} data-twcid=${c.id}>
      <header class="charger-head">
        <div>
          <h3 id=${hid}>Charger ${c.id}</h3>
          <p class="muted small">
            Protocol v${c.protocolVersion} · rated ${fmtA(c.ratedAmps)} · wiring max ${fmtA(c.wiringMaxAmps)}
          </p>
        </div>
        <span class="state-badge ${st.cls}" data-testid="state"
          >${icon(st.icon)}<span>${st.words}</span></span
        >
      </header>
      <p class="sr-only" aria-live="polite">${summary}</p>
      <div class="charger-stats">
        <div class="stat">
          <span class="stat-label">Offered</span
          ><span class="stat-value" data-testid="offered">${fmtA(c.ampsOffered)}</span>
        </div>
        <div class="stat">
          <span class="stat-label">Drawing</span
          ><span class="stat-value" data-testid="actual">${fmtA(c.reportedAmpsActual)}</span>
        </div>
        <div class="stat">
          <span class="stat-label">Power</span
          ><span class="stat-value" data-testid="power">${fmtW(c.powerW)}</span>
        </div>
      </div>
      <meter
        class="amps-meter"
        min="0"
        max=${Math.max(c.wiringMaxAmps, 1)}
        .value=${c.reportedAmpsActual}
        aria-label="Current drawn, ${fmtA(c.reportedAmpsActual)} of ${fmtA(c.wiringMaxAmps)} wiring maximum"
      ></meter>
      ${c.why ? html`<p class="small charger-why" data-testid="why">${c.why.text}</p>` : nothing}
      <dl class="facts">
        <div>
          <dt>Session</dt>
          <dd>
            ${
              session
                ? html`${session}${this.sessionKWh !== null ? html` · ${fmtKWh(this.sessionKWh, 2)}` : nothing}`
                : html`<span class="muted">Not charging</span>`
            }
          </dd>
        </div>
        <div>
          <dt>Lifetime energy</dt>
          <dd>
            ${c.lifetimeKWh === null ? html`<span class="muted">Not reported yet</span>` : fmtKWh(c.lifetimeKWh, 0)}
          </dd>
        </div>
        <div>
          <dt>Voltage</dt>
          <dd>${this.voltage(c)}</dd>
        </div>
        ${this.carFacts()}
        <div>
          <dt>Car VIN</dt>
          <dd class="mono">${c.vin.current ?? html`<span class="muted">—</span>`}</dd>
        </div>
        <div>
          <dt>Last VIN</dt>
          <dd class="mono">${c.vin.last ?? html`<span class="muted">—</span>`}</dd>
        </div>
        <div>
          <dt>Last heartbeat</dt>
          <dd>
            ${Number.isFinite(beat) ? `${fmtDuration(Math.max(0, this.now - beat))} ago` : html`<span class="muted">none yet</span>`}
          </dd>
        </div>
      </dl>
    </article>`;
  }
}
customElements.define("twc-charger-card", ChargerCard);
