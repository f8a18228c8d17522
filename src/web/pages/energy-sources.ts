/** The dashboard's energy-sources card: each source's last reading, its age, read counts and last error. */
import { html, nothing } from "lit";
import type { EnergySourceStatus, StateDocument } from "../../state/types.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { fmtDuration, fmtW, isoMs } from "../format.ts";

function stateTag(s: EnergySourceStatus): unknown {
  if (s.ok && !s.stale) return html`<span class="tag tag-active" data-testid="source-state">${icon("check")}Reading</span>`;
  if (s.stale) return html`<span class="tag tag-warn" data-testid="source-state">${icon("alert")}Stale</span>`;
  if (s.updatedAt === null) return html`<span class="tag" data-testid="source-state">Waiting for a first reading</span>`;
  return html`<span class="tag tag-warn" data-testid="source-state">${icon("alert")}Last read failed</span>`;
}

/** <twc-energy-sources .state .now>: nothing when no energy source is configured. */
export class EnergySources extends LightElement {
  static override properties = {
    state: { attribute: false },
    now: { type: Number },
  };
  declare state: StateDocument | null;
  declare now: number;

  constructor() {
    super();
    this.state = null;
    this.now = 0;
  }

  protected override render(): unknown {
    const sources = this.state?.energy.sources ?? [];
    if (sources.length === 0) return nothing;
    return html`<section class="card" aria-labelledby="sources-title" data-testid="energy-sources">
      <h2 id="sources-title">Energy sources</h2>
      <ul class="mqtt-list">
        ${sources.map((s) => {
          const at = isoMs(s.updatedAt);
          const age = Number.isFinite(at) && this.now > 0 ? fmtDuration(Math.max(0, this.now - at)) : null;
          return html`<li data-testid="energy-source" data-source=${s.name}>
            ${stateTag(s)} <strong>${s.name}</strong>
            <p class="small muted">
              ${
                s.generationW !== null && s.consumptionW !== null
                  ? html`Generation ${fmtW(s.generationW)} · consumption ${fmtW(s.consumptionW)}`
                  : "No reading yet"
              }${age !== null ? html` · <span data-testid="source-age">${age} ago</span>` : nothing}${
                s.readsOk !== undefined ? ` · ${s.readsOk} reads, ${s.readsFailed ?? 0} failed` : nothing
              }
            </p>
            ${s.error !== null ? html`<p class="small" data-testid="source-error">Last error: ${s.error}</p>` : nothing}
          </li>`;
        })}
      </ul>
    </section>`;
  }
}
customElements.define("twc-energy-sources", EnergySources);
