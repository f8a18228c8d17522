/** The Charge Now control (http-api.md §7.1, §7.2): rate and duration sliders, Start, Cancel, time left. */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { FormElement } from "../components/form-element.ts";
import { describedBy, fieldError, formStatus, inWords } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import { fmtClock, fmtDuration, isoMs } from "../format.ts";
import { chargeNowRateRule } from "../../shared/amps-rules.ts";
import { checkChargeNowRate } from "../validate.ts";

const FIELDS = ["chargeNowRate", "chargeNowDuration"] as const;
/** The API's field names in this form's words. */
const LABELS = { chargeNowRate: "Rate", chargeNowDuration: "Duration" } as const;

/** <twc-charge-now .state .now>. */
export class ChargeNow extends FormElement {
  static override properties = {
    state: { attribute: false },
    now: { type: Number },
    rate: { state: true },
    hours: { state: true },
  };
  declare state: StateDocument | null;
  declare now: number;
  declare rate: number | null;
  declare hours: number;

  constructor() {
    super();
    this.state = null;
    this.now = 0;
    this.rate = null;
    this.hours = 4;
  }

  /** The server's rule for the rate (shared/amps-rules.ts). */
  private range(s: StateDocument): { min: number; max: number } {
    return chargeNowRateRule(s.budget.minAmpsPerTWC, s.budget.wiringMaxAmpsAllTWCs);
  }

  private currentRate(s: StateDocument): number {
    const { min, max } = this.range(s);
    const def =
      s.chargeNow.active && s.chargeNow.amps > 0 ? s.chargeNow.amps : s.budget.wiringMaxAmpsPerTWC || max;
    return Math.min(max, Math.max(min, Math.round(this.rate ?? def)));
  }

  private async start(): Promise<void> {
    const s = this.state;
    if (!s || this.busy) return;
    const rate = this.currentRate(s);
    const local = checkChargeNowRate(rate, s.budget.minAmpsPerTWC, s.budget.wiringMaxAmpsAllTWCs);
    if (local !== null) {
      this.errors = { chargeNowRate: local };
      this.ok = null;
      return;
    }
    const r = await this.postForm(
      "/api/chargeNow",
      { chargeNowRate: rate, chargeNowDuration: Math.round(this.hours * 3600) },
      FIELDS,
    );
    this.errors = inWords(this.errors, LABELS);
    this.ok = r.ok ? `Charge Now started at ${rate} A for ${this.hours} h.` : null;
    if (r.ok) afterAction();
  }

  private async cancel(): Promise<void> {
    if (this.busy) return;
    const r = await this.postForm("/api/cancelChargeNow", undefined, FIELDS);
    this.errors = inWords(this.errors, LABELS);
    this.ok = r.ok ? "Charge Now cancelled." : null;
    if (r.ok) afterAction();
  }

  protected override render(): unknown {
    const s = this.state;
    if (!s) return nothing;
    const { min, max } = this.range(s);
    const rate = this.currentRate(s);
    const cn = s.chargeNow;
    const ends = isoMs(cn.endsAt);
    const left = cn.active && Number.isFinite(ends) ? Math.max(0, ends - this.now) : null;
    const until = this.now + this.hours * 3600_000;
    return html`<section class="card charge-now" aria-labelledby="cn-title">
      <h2 id="cn-title">${icon("bolt")} Charge Now</h2>
      <p class="cn-status" data-testid="charge-now-status" aria-live="polite">
        ${
          cn.active
            ? html`<strong>Active:</strong> ${cn.amps} A until
                ${fmtClock(cn.endsAt)}${
                  left !== null
                    ? html` <span class="muted"
                        >(<span class="nowrap">${fmtDuration(left)}</span> left)</span
                      >`
                    : nothing
                }`
            : html`<span class="muted"
                >Not active. Charge Now overrides every other policy for the chosen time.</span
              >`
        }
      </p>
      <div class="field">
        <label for="cn-rate">Rate <output for="cn-rate" class="field-value">${rate} A</output></label>
        <input
          id="cn-rate"
          type="range"
          min=${min}
          max=${max}
          step="1"
          .value=${String(rate)}
          aria-valuetext="${rate} amps"
          aria-invalid=${this.errors.chargeNowRate ? "true" : "false"}
          aria-describedby=${describedBy(this.errors, "chargeNowRate", "cn-rate-error", "cn-rate-hint")}
          @input=${(e: Event) => (this.rate = Number((e.target as HTMLInputElement).value))}
        />
        <p class="hint" id="cn-rate-hint">${min} A to ${max} A shared by all chargers</p>
        ${fieldError(this.errors, "chargeNowRate", "cn-rate-error")}
      </div>
      <div class="field">
        <label for="cn-hours"
          >Duration <output for="cn-hours" class="field-value">${this.hours} h</output></label
        >
        <input
          id="cn-hours"
          type="range"
          min="1"
          max="24"
          step="1"
          .value=${String(this.hours)}
          aria-valuetext="${this.hours} hours"
          aria-invalid=${this.errors.chargeNowDuration ? "true" : "false"}
          aria-describedby=${describedBy(this.errors, "chargeNowDuration", "cn-hours-error", "cn-hours-hint")}
          @input=${(e: Event) => (this.hours = Number((e.target as HTMLInputElement).value))}
        />
        <p class="hint" id="cn-hours-hint">Until about ${fmtClock(until)}</p>
        ${fieldError(this.errors, "chargeNowDuration", "cn-hours-error")}
      </div>
      <div class="actions">
        <button
          type="button"
          class="btn btn-primary"
          ?disabled=${this.busy}
          @click=${() => void this.start()}
        >
          ${icon("bolt")}${cn.active ? "Restart with these values" : "Start charging now"}
        </button>
        <button
          type="button"
          class="btn"
          ?disabled=${this.busy || !cn.active}
          @click=${() => void this.cancel()}
        >
          ${icon("cross")}Cancel Charge Now
        </button>
      </div>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </section>`;
  }
}
customElements.define("twc-charge-now", ChargeNow);
