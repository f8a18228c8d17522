/** Dashboard (`/`): policy, energy, chargers, totals, Charge Now, schedule, charger commands (http-api.md §10). */
import { html, nothing, type TemplateResult } from "lit";
import type { SessionDoc, StateDocument } from "../../state/types.ts";
import { getJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { icon, type IconName } from "../components/icons.ts";
import "../components/week-grid.ts";
import "../controller-zone.ts";
import { fmtA, fmtKWh, fmtSignedW, fmtW, zoneNote } from "../format.ts";
import { summarisePolicy, type PolicyKind } from "../policy-summary.ts";
import { describeGreen, describeSchedule, greenSegments, scheduleSegments } from "../schedule-model.ts";
import { vehiclesOf } from "../vehicles-model.ts";
import "./bus-commands.ts";
import "./charge-now.ts";
import "./charger-card.ts";
import "./energy-sources.ts";
import "./mqtt-connections.ts";

const KIND_ICON: Record<PolicyKind, IconName> = {
  green: "sun",
  fixed: "bolt",
  stop: "pause",
  none: "question",
};

/** What the dashboard needs of an open session (GET /api/v2/sessions). */
type OpenSession = Pick<SessionDoc, "twcId" | "startKWh">;

function openSessions(v: unknown): OpenSession[] {
  if (typeof v !== "object" || v === null || !Array.isArray((v as { sessions?: unknown }).sessions))
    return [];
  return ((v as { sessions: unknown[] }).sessions as Record<string, unknown>[])
    .filter((x) => typeof x === "object" && x !== null && x.endedAt === null && typeof x.twcId === "string")
    .map((x) => ({ twcId: x.twcId as string, startKWh: typeof x.startKWh === "number" ? x.startKWh : null }));
}

/** <twc-dashboard .state .now>. */
export class Dashboard extends LightElement {
  static override properties = {
    state: { attribute: false },
    now: { type: Number },
    sessions: { state: true },
  };
  declare state: StateDocument | null;
  declare now: number;
  declare sessions: OpenSession[];
  private sessionKey = "";

  constructor() {
    super();
    this.state = null;
    this.now = 0;
    this.sessions = [];
  }

  protected override willUpdate(): void {
    // Session energy needs the open sessions' start counters: re-read them when a session starts or ends.
    const key = (this.state?.chargers ?? []).map((c) => `${c.id}:${c.chargingSince ?? ""}`).join(",");
    if (key !== this.sessionKey) {
      this.sessionKey = key;
      if (this.state?.chargers.some((c) => c.charging)) {
        void getJson("/api/v2/sessions?limit=20").then((r) => {
          if (r.ok) this.sessions = openSessions(r.data);
        });
      }
    }
  }

  private stat(
    label: string,
    value: string | TemplateResult,
    sub: string | TemplateResult = "",
    testid = "",
  ): TemplateResult {
    return html`<div class="card stat-card" data-testid=${testid || nothing}>
      <span class="stat-label">${label}</span>
      <span class="stat-value big">${value}</span>
      ${sub ? html`<span class="stat-sub">${sub}</span>` : nothing}
    </div>`;
  }

  private policyCard(s: StateDocument): TemplateResult {
    const p = summarisePolicy(s, this.now);
    return html`<section class="card policy-card pol-${p.kind} ord-1" aria-labelledby="pol-title">
      <h2 id="pol-title" class="stat-label">Active policy</h2>
      <div class="policy-line" aria-live="polite" data-testid="active-policy">
        <span class="kind-badge kind-${p.kind}">${icon(KIND_ICON[p.kind])}<span>${p.kindWords}</span></span>
        <strong class="policy-name">${p.name}</strong>
        ${s.policy.forced ? html`<span class="tag">Forced</span>` : nothing}
      </div>
      ${p.reasons.map((r) => html`<p class="policy-reason">${r}</p>`)}
      ${this.whyLines(s)}
      <p class="muted small">
        Budget for all chargers: <strong>${fmtA(s.budget.maxAmpsToDivide)}</strong> ·
        <a href="/policy">See all policies</a>
      </p>
    </section>`;
  }

  /** Why the budget is what it is, and what the solar computation uses (issue 12 §5, §7). */
  private whyLines(s: StateDocument): TemplateResult {
    const e = s.energy.why;
    // The solar computation matters under a green policy and for the grid cap.
    const showEnergy = e !== undefined && (s.policy.green || s.budget.gridCapAmps !== null);
    return html`${s.budget.why ? html`<p class="small" data-testid="budget-why">${icon("info")} ${s.budget.why.text}</p>` : nothing}
    ${showEnergy ? html`<p class="small" data-testid="surplus-why">${icon("sun")} ${e.text}</p>` : nothing}`;
  }

  private energy(s: StateDocument): TemplateResult {
    const e = s.energy;
    const noSource = e.sources.length === 0;
    const staleTag = e.stale ? html`<span class="tag tag-warn">${icon("alert")}stale</span>` : nothing;
    // What the green computation uses (issue 12 §7): null without a reading reads "—", never "0 W balanced".
    const surplus = e.greenSurplusW !== undefined ? e.greenSurplusW : e.surplusW;
    const addedBack = e.why?.params.chargerLoadAddedBack === true && e.chargerLoadW > 0;
    const surplusWords =
      surplus === null
        ? "no reading"
        : addedBack
          ? `chargers' ${fmtW(e.chargerLoadW)} added back`
          : surplus > 0
            ? "more generated than used"
            : surplus < 0
              ? "more used than generated"
              : "balanced";
    const offsets = e.offsetsW !== 0 ? `includes ${fmtSignedW(e.offsetsW)} of offsets` : "";
    return html`<section class="stats ord-2" aria-label="Energy" aria-live="polite">
      ${this.stat("Generation", html`${fmtW(e.generationW)} ${staleTag}`, noSource ? "No energy source configured" : fmtA(e.generationA), "generation")}
      ${this.stat("Consumption", html`${fmtW(e.consumptionW)} ${staleTag}`, offsets || fmtA(e.consumptionA), "consumption")}
      ${this.stat("Surplus", surplus === null ? "—" : fmtSignedW(surplus), surplusWords, "surplus")}
      ${this.stat("Charger load", fmtW(e.chargerLoadW), fmtA(e.chargerLoadA), "charger-load")}
      ${this.stat(
        "Budget",
        fmtA(s.budget.maxAmpsToDivide),
        s.budget.gridCapAmps !== null
          ? `grid cap ${fmtA(s.budget.gridCapAmps)}`
          : `wiring max ${fmtA(s.budget.wiringMaxAmpsAllTWCs)}`,
        "budget",
      )}
    </section>`;
  }

  private totals(s: StateDocument): TemplateResult {
    const t = s.totals;
    return html`<section class="card totals ord-6" aria-labelledby="tot-title">
      <h2 id="tot-title">Totals</h2>
      <dl class="facts facts-row">
        <div>
          <dt>Chargers</dt>
          <dd>${t.chargers}</dd>
        </div>
        <div>
          <dt>Cars charging</dt>
          <dd>${t.carsCharging}</dd>
        </div>
        <div>
          <dt>Offered</dt>
          <dd>${fmtA(t.ampsOffered)}</dd>
        </div>
        <div>
          <dt>Drawing</dt>
          <dd>${fmtA(t.ampsActual)}</dd>
        </div>
        <div>
          <dt>Power</dt>
          <dd>${fmtW(t.powerW)}</dd>
        </div>
        <div>
          <dt>Lifetime energy</dt>
          <dd>${fmtKWh(t.lifetimeKWh, 0)}</dd>
        </div>
      </dl>
      ${t.offeredWhy ? html`<p class="small" data-testid="offered-why">${icon("info")} ${t.offeredWhy.text}</p>` : nothing}
    </section>`;
  }

  private scheduleCard(s: StateDocument): TemplateResult {
    const sched = describeSchedule(s.schedule);
    const green = describeGreen(s.schedule);
    return html`<section class="card ord-5" aria-labelledby="sched-title">
      <h2 id="sched-title">${icon("calendar")} This week</h2>
      <twc-week-grid
        .schedule=${scheduleSegments(s.schedule)}
        .green=${greenSegments(s.schedule)}
        .now=${this.now}
        .timeZone=${s.clock?.timeZone}
        label="${sched} ${green}"
      ></twc-week-grid>
      <p class="small">${sched} ${green}</p>
      <p class="small muted" data-testid="schedule-zone">${zoneNote(s.clock).replace(/^t/, "T")}.</p>
      <p class="small"><a href="/schedule">Edit the schedule</a></p>
    </section>`;
  }

  private sessionKWh(id: string, lifetime: number | null): number | null {
    const o = this.sessions.find((x) => x.twcId === id);
    return o && o.startKWh !== null && lifetime !== null ? Math.max(0, lifetime - o.startKWh) : null;
  }

  protected override render(): unknown {
    const s = this.state;
    if (!s) return html`<p class="loading" role="status">Loading live data…</p>`;
    return html`<h1 class="sr-only">Dashboard</h1>
      <div class="dash">
        <div class="dash-main">
          ${this.policyCard(s)} ${this.energy(s)}
          <section class="ord-3" aria-labelledby="chargers-title">
            <h2 id="chargers-title" class="section-title">Chargers</h2>
            ${
              s.chargers.length === 0
                ? html`<p class="card muted">
                    No charger is linked yet. Chargers appear here a few seconds after they answer on the bus.
                  </p>`
                : html`<div class="charger-grid">
                    ${s.chargers.map(
                      (c) =>
                        html`<twc-charger-card
                          .charger=${c}
                          .now=${this.now}
                          .sessionKWh=${this.sessionKWh(c.id, c.lifetimeKWh)}
                          .car=${vehiclesOf(s).find((v) => v.twcId === c.id) ?? null}
                        ></twc-charger-card>`,
                    )}
                  </div>`
            }
          </section>
          ${this.totals(s)}
        </div>
        <div class="dash-side">
          <twc-charge-now class="ord-4" .state=${s} .now=${this.now}></twc-charge-now>
          <twc-energy-sources class="ord-4" .state=${s} .now=${this.now}></twc-energy-sources>
          ${this.scheduleCard(s)}
          <twc-bus-commands class="ord-7"></twc-bus-commands>
          <twc-mqtt-connections class="ord-8" .state=${s} .now=${this.now}></twc-mqtt-connections>
        </div>
      </div>`;
  }
}
customElements.define("twc-dashboard", Dashboard);
