/** Graphs page (`/graphs`, http-api.md §10): power over 24 h / 48 h / 7 days, recent sessions, CSV export. */
import { html, nothing } from "lit";
import type { HistoryDocPoint, SessionDoc, StateDocument } from "../../state/types.ts";
import { getJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { toCsv } from "../csv.ts";
import { downloadText } from "../download.ts";
import { browserClock } from "../context.ts";
import { fmtDateTime, fmtDuration, fmtKWh, fmtW, isoMs } from "../format.ts";
import { PowerChart, type PowerSeries } from "./chart.ts";

/** A point of the history; `recorded` false where TWCManager was not running (a gap, not 0 W). */
type Point = HistoryDocPoint & { recorded: boolean };
type Session = SessionDoc;
type StoppedBy = NonNullable<SessionDoc["stoppedBy"]>;

const RANGES = [
  { hours: 24, label: "24 hours" },
  { hours: 48, label: "48 hours" },
  { hours: 168, label: "7 days" },
] as const;

/** How a session ended when who ended it is not known (older records). */
const END_WORDS: Record<NonNullable<SessionDoc["endReason"]>, string> = {
  stopped: "Charging stopped",
  linkLost: "Charger link lost",
  shutdown: "TWCManager stopped",
};

/** Who ended a session, in words. */
const STOPPED_BY_WORDS: Record<StoppedBy, string> = {
  car: "Car stopped charging",
  userHttp: "Stopped by a user (web or API)",
  userMqtt: "Stopped by a user (MQTT)",
  policy: "Stopped by the policy (no current offered)",
  controller: "TWCManager stopped",
  busLost: "Charger link lost",
};

const STOPPED_BY = Object.keys(STOPPED_BY_WORDS) as StoppedBy[];

/** The words for how a session ended, or null while it runs. */
function endWords(s: Session): string | null {
  if (s.stoppedBy) return STOPPED_BY_WORDS[s.stoppedBy];
  return s.endReason ? END_WORDS[s.endReason] : null;
}

/** Indices of the points without recorded data, from the document's `gaps` ranges. */
function gapIndices(v: Record<string, unknown>): Set<number> {
  const out = new Set<number>();
  if (!Array.isArray(v.gaps)) return out;
  for (const g of v.gaps as unknown[]) {
    const r = g as { from?: unknown; to?: unknown } | null;
    if (typeof r?.from !== "number" || typeof r.to !== "number") continue;
    for (let i = Math.max(0, r.from); i < r.to && i < 100_000; i++) out.add(i);
  }
  return out;
}

function asPoints(v: unknown): Point[] | null {
  if (typeof v !== "object" || v === null || !Array.isArray((v as { points?: unknown }).points)) return null;
  const gaps = gapIndices(v as Record<string, unknown>);
  return ((v as { points: unknown[] }).points as Record<string, unknown>[])
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => typeof p === "object" && p !== null && typeof p.t === "string")
    .map(({ p, i }) => ({
      t: p.t as string,
      chargerW: typeof p.chargerW === "number" ? p.chargerW : 0,
      generationW: typeof p.generationW === "number" ? p.generationW : null,
      consumptionW: typeof p.consumptionW === "number" ? p.consumptionW : null,
      recorded: !gaps.has(i),
    }));
}

function asSessions(v: unknown): Session[] | null {
  if (typeof v !== "object" || v === null || !Array.isArray((v as { sessions?: unknown }).sessions))
    return null;
  return ((v as { sessions: unknown[] }).sessions as Record<string, unknown>[])
    .filter((s) => typeof s === "object" && s !== null)
    .map((s) => ({
      id: typeof s.id === "number" ? s.id : 0,
      twcId: typeof s.twcId === "string" ? s.twcId : "?",
      vin: typeof s.vin === "string" ? s.vin : null,
      startedAt: typeof s.startedAt === "string" ? s.startedAt : "",
      endedAt: typeof s.endedAt === "string" ? s.endedAt : null,
      startKWh: typeof s.startKWh === "number" ? s.startKWh : null,
      endKWh: typeof s.endKWh === "number" ? s.endKWh : null,
      energyKWh: typeof s.energyKWh === "number" ? s.energyKWh : null,
      endReason:
        s.endReason === "stopped" || s.endReason === "linkLost" || s.endReason === "shutdown"
          ? s.endReason
          : null,
      ...(STOPPED_BY.includes(s.stoppedBy as StoppedBy) ? { stoppedBy: s.stoppedBy as StoppedBy } : {}),
    }));
}

/** <twc-graphs .state>. */
export class GraphsPage extends LightElement {
  static override properties = {
    state: { attribute: false },
    hours: { state: true },
    points: { state: true },
    pointsHours: { state: true },
    sessions: { state: true },
    error: { state: true },
    sessionsError: { state: true },
  };
  declare state: StateDocument | null;
  declare hours: number;
  declare points: Point[] | null;
  /** The period `points` cover; differs from `hours` while a newly chosen period loads. */
  declare pointsHours: number;
  declare sessions: Session[] | null;
  declare error: string | null;
  declare sessionsError: string | null;
  private chart: PowerChart | null = null;
  private chartKey = "";

  constructor() {
    super();
    this.state = null;
    this.hours = 24;
    this.points = null;
    this.pointsHours = 24;
    this.sessions = null;
    this.error = null;
    this.sessionsError = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadHistory();
    void this.loadSessions();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = null;
  }

  private async loadHistory(): Promise<void> {
    this.error = null;
    const hours = this.hours;
    const r = await getJson(`/api/v2/history?hours=${hours}`);
    if (hours !== this.hours) return; // another period was chosen meanwhile: its answer counts
    const pts = r.ok ? asPoints(r.data) : null;
    if (!pts) {
      this.error = r.ok ? "The history could not be read." : r.error;
      return;
    }
    this.points = pts;
    this.pointsHours = hours;
  }

  private async loadSessions(): Promise<void> {
    const r = await getJson("/api/v2/sessions?limit=50");
    this.sessions = r.ok ? asSessions(r.data) : null;
    this.sessionsError = r.ok ? (this.sessions ? null : "The sessions could not be read.") : r.error;
  }

  protected override updated(): void {
    const host = this.querySelector<HTMLElement>("#power-chart");
    const pts = this.points;
    if (!host || !pts) return;
    this.chart ??= new PowerChart(host);
    const last = pts.at(-1);
    const key = `${this.pointsHours}:${pts.length}:${last?.t ?? ""}:${last?.chargerW ?? 0}:${pts.filter((p) => !p.recorded).length}`;
    if (key === this.chartKey) return;
    this.chartKey = key;
    const series: PowerSeries = {
      times: pts.map((p) => isoMs(p.t) / 1000),
      charger: pts.map((p) => (p.recorded ? p.chargerW : null)),
      generation: pts.map((p) => p.generationW),
      consumption: pts.map((p) => p.consumptionW),
    };
    this.chart.setData(series);
  }

  private setRange(h: number): void {
    this.hours = h;
    void this.loadHistory();
  }

  private exportHistory(): void {
    const rows = (this.points ?? []).map((p) => [
      p.t,
      p.recorded ? p.chargerW : null,
      p.generationW,
      p.consumptionW,
    ]);
    downloadText(
      `twcmanager-power-${this.pointsHours}h.csv`,
      toCsv(["time", "charger_W", "generation_W", "consumption_W"], rows),
    );
  }

  private exportSessions(): void {
    const rows = (this.sessions ?? []).map((s) => [
      s.id,
      s.twcId,
      s.vin,
      s.startedAt,
      s.endedAt,
      s.energyKWh,
      s.endReason,
      s.stoppedBy ?? null,
    ]);
    downloadText(
      "twcmanager-sessions.csv",
      toCsv(["id", "charger", "vin", "started", "ended", "energy_kWh", "end_reason", "stopped_by"], rows),
    );
  }

  /** Energy of a session; for one still running, from the charger's current lifetime counter. */
  private energy(s: Session): number | null {
    if (s.energyKWh !== null || s.endedAt !== null || s.startKWh === null) return s.energyKWh;
    const now = this.state?.chargers.find((c) => c.id === s.twcId)?.lifetimeKWh ?? null;
    return now === null ? null : Math.max(0, now - s.startKWh);
  }

  private summary(): string {
    const all = this.points ?? [];
    const p = all.filter((x) => x.recorded);
    if (p.length === 0) return "No data for this period.";
    const kwh = (p.reduce((a, x) => a + x.chargerW, 0) * (5 / 60)) / 1000;
    const peak = Math.max(...p.map((x) => x.chargerW));
    const gen = (p.reduce((a, x) => a + (x.generationW ?? 0), 0) * (5 / 60)) / 1000;
    const missing = all.length - p.length;
    const gap =
      missing > 0 ? ` No data for ${fmtDuration(missing * 300_000)} of it (TWCManager was not running).` : "";
    return `Charged about ${fmtKWh(kwh, 1)} in this period, peak charger power ${fmtW(peak)}; generation about ${fmtKWh(gen, 1)}.${gap}`;
  }

  protected override render(): unknown {
    const ss = this.sessions;
    return html`<h1>Graphs</h1>
      <div class="stack">
        <section class="card" aria-labelledby="chart-title">
          <div class="card-head">
            <h2 id="chart-title">Power</h2>
            <fieldset class="segmented">
              <legend class="sr-only">Period</legend>
              ${RANGES.map(
                (r) =>
                  html`<label
                    ><input
                      type="radio"
                      name="range"
                      .checked=${this.hours === r.hours}
                      @change=${() => this.setRange(r.hours)}
                    /><span>${r.label}</span></label
                  >`,
              )}
            </fieldset>
          </div>
          ${this.error ? html`<p class="field-error" role="alert">${icon("alert")}<span>${this.error}</span></p>` : nothing}
          <div
            id="power-chart"
            class="chart"
            role="img"
            aria-label="Charger power, generation and consumption over the last ${this.hours} hours. ${this.summary()}"
          ></div>
          <p class="small" aria-live="polite">${this.points ? this.summary() : "Loading…"}</p>
          <p class="hint">
            Solid line: charger power · dashed: generation · dotted: consumption. Drag across the chart to
            zoom, double-click to reset.
          </p>
          <div class="actions">
            <button
              type="button"
              class="btn"
              ?disabled=${!this.points || this.pointsHours !== this.hours}
              @click=${() => this.exportHistory()}
            >
              Download CSV
            </button>
          </div>
        </section>
        <section class="card" aria-labelledby="sess-title">
          <div class="card-head">
            <h2 id="sess-title">Recent charging sessions</h2>
            <button
              type="button"
              class="btn btn-small"
              ?disabled=${!ss || ss.length === 0}
              @click=${() => this.exportSessions()}
            >
              Download CSV
            </button>
          </div>
          ${this.sessionsError ? html`<p class="field-error" role="alert">${icon("alert")}<span>${this.sessionsError}</span></p>` : nothing}
          ${
            ss === null
              ? this.sessionsError
                ? nothing
                : html`<p class="loading" role="status">Loading…</p>`
              : ss.length === 0
                ? html`<p class="muted">No charging sessions recorded yet.</p>`
                : html`<div class="table-wrap">
                    <table class="table" data-testid="sessions">
                      <caption class="sr-only">
                        Recent charging sessions, newest first
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">Started</th>
                          <th scope="col">Duration</th>
                          <th scope="col">Charger</th>
                          <th scope="col">Car VIN</th>
                          <th scope="col" class="num">Energy</th>
                          <th scope="col">Ended</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${ss.map(
                          (s) =>
                            html`<tr>
                              <td>${fmtDateTime(s.startedAt)}</td>
                              <td>
                                ${
                                  s.endedAt
                                    ? fmtDuration(isoMs(s.endedAt) - isoMs(s.startedAt))
                                    : html`${fmtDuration(browserClock.now() - isoMs(s.startedAt))}
                                        <span class="tag tag-active">charging</span>`
                                }
                              </td>
                              <td>${s.twcId}</td>
                              <td class="mono">${s.vin ?? "—"}</td>
                              <td class="num">${fmtKWh(this.energy(s), 2)}</td>
                              <td>
                                ${s.endedAt ? html`${fmtDateTime(s.endedAt)}${endWords(s) ? html`<br /><span class="muted small" data-testid="stopped-by">${endWords(s)}</span>` : nothing}` : "—"}
                              </td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
          }
        </section>
      </div>`;
  }
}
customElements.define("twc-graphs", GraphsPage);
