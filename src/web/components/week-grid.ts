/**
 * Weekly grid: one row per weekday (Monday first), a bar for each scheduled charging window and a
 * lighter band for the solar-tracking hours. Pure SVG geometry (no style attributes, CSP-safe). "Today"
 * and "now" are read in the controller's time zone (`timeZone`, issue 12 §8), like the schedule itself.
 */
import { html, nothing, svg } from "lit";
import { LightElement } from "./base.ts";
import { zonedTime } from "../clock.ts";
import { DAY_SHORT, type Segment } from "../schedule-model.ts";

/** <twc-week-grid .schedule=${segments} .green=${segments} .now=${ms} .timeZone=${zone} label="…">. */
export class WeekGrid extends LightElement {
  static override properties = {
    schedule: { attribute: false },
    green: { attribute: false },
    now: { type: Number },
    timeZone: { attribute: false },
    label: { type: String },
  };
  declare schedule: Segment[];
  declare green: Segment[];
  declare now: number;
  declare timeZone: string | undefined;
  declare label: string;

  constructor() {
    super();
    this.schedule = [];
    this.green = [];
    this.now = 0;
    this.timeZone = undefined;
    this.label = "";
  }

  protected override render(): unknown {
    const today = this.now > 0 ? zonedTime(this.now, this.timeZone) : null;
    const todayIdx = today ? today.wday : -1;
    const nowMin = today ? today.hour * 60 + today.min : -1;
    // The solar band is drawn thinner than the schedule bars: shape, not only colour, tells them apart.
    const rect = (s: Segment, cls: string, thin = false): unknown =>
      svg`<rect class=${cls} x=${s.from} y=${thin ? 2.5 : 0} width=${s.to - s.from} height=${thin ? 5 : 10}></rect>`;
    return html`<div class="week-grid" role="img" aria-label=${this.label}>
      <div class="wg-axis" aria-hidden="true">
        <span></span><span>00</span><span>06</span><span>12</span><span>18</span>
      </div>
      ${DAY_SHORT.map(
        (d, i) =>
          html`<div class="wg-row ${i === todayIdx ? "wg-today" : ""}" aria-hidden="true">
            <span class="wg-day">${d}</span>
            <svg viewBox="0 0 1440 10" preserveAspectRatio="none" focusable="false">
              <rect class="wg-bg" x="0" y="0" width="1440" height="10"></rect>
              ${this.green.filter((s) => s.day === i).map((s) => rect(s, "wg-green", true))}
              ${this.schedule.filter((s) => s.day === i).map((s) => rect(s, "wg-sched"))}
              <path class="wg-tick" d="M360 0V10M720 0V10M1080 0V10"></path>
              ${i === todayIdx ? svg`<path class="wg-now" d="M${nowMin} 0V10"></path>` : nothing}
            </svg>
          </div>`,
      )}
      <div class="wg-legend" aria-hidden="true">
        <span><i class="wg-key wg-key-sched"></i>Scheduled charging</span>
        <span><i class="wg-key wg-key-green"></i>Solar tracking</span>
        ${todayIdx >= 0 ? html`<span><i class="wg-key wg-key-now"></i>Now</span>` : nothing}
      </div>
    </div>`;
  }
}
customElements.define("twc-week-grid", WeekGrid);
