/**
 * The dashboard's energy-sources card: each source's last reading, its age, read counts and last error,
 * and a "Test" button per polled source (POST /api/v2/sources/{name}/test) showing the parsed figures in
 * a small table and the raw answers in a <pre>.
 */
import { html, nothing } from "lit";
import type { EnergySourceStatus, StateDocument } from "../../state/types.ts";
import { postJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { fmtDuration, fmtW, isoMs } from "../format.ts";

/** Sources that receive pushed values and cannot be polled on demand. */
const PUSH_SOURCES = new Set(["MQTT", "DSMRreader", "Demo"]);

/** The answer of a source test (energy/source-test.ts SourceTestResult, the fields shown). */
interface TestResult {
  ok: boolean;
  error: string | null;
  generationW: number | null;
  consumptionW: number | null;
  consumptionA: number | null;
  attributes: Record<string, string | number | boolean | null>;
  raw: { request: string; status: number | null; body: string; truncated: boolean; error: string | null }[];
  rawDropped: number;
  durationMs: number;
}

/** One source's test: running, its result, or why it could not run. */
type TestState = { busy: true } | { busy: false; result: TestResult } | { busy: false; failure: string };

function rawText(r: TestResult): string {
  const parts = r.raw.map((e) => {
    const head = `${e.request}${e.status !== null ? ` → HTTP ${e.status}` : ""}${e.error !== null ? ` → ${e.error}` : ""}`;
    return e.body === "" ? head : `${head}\n${e.body}${e.truncated ? "\n… (cut)" : ""}`;
  });
  if (r.rawDropped > 0) parts.push(`… ${r.rawDropped} more answers not shown`);
  return parts.length > 0 ? parts.join("\n\n") : "(no request was made)";
}

function showValue(v: string | number | boolean | null): string {
  return v === null ? "—" : typeof v === "number" ? String(Math.round(v * 1000) / 1000) : String(v);
}

function testView(t: TestState): unknown {
  if (t.busy) return html`<p class="small muted" data-testid="source-test-busy">Polling the source once…</p>`;
  if ("failure" in t) return html`<p class="small" role="alert" data-testid="source-test-failure">${t.failure}</p>`;
  const r = t.result;
  const rows: [string, string][] = [
    ["Generation", r.generationW === null ? "—" : fmtW(r.generationW)],
    ["Consumption", r.consumptionW === null ? "—" : fmtW(r.consumptionW)],
    ...(r.consumptionA !== null ? ([["Consumption amps", `${r.consumptionA} A`]] as [string, string][]) : []),
    ...Object.entries(r.attributes).map(([k, v]): [string, string] => [k, showValue(v)]),
  ];
  return html`<div data-testid="source-test-result">
    <p class="small" data-testid="source-test-outcome">
      ${r.ok ? html`${icon("check")}Reading received in ${Math.round(r.durationMs)} ms` : html`${icon("alert")}Test failed: ${r.error}`}
    </p>
    ${r.ok
      ? html`<div class="table-wrap"><table class="table" data-testid="source-test-figures">
          <tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody>
        </table></div>`
      : nothing}
    <pre class="hex" data-testid="source-test-raw">${rawText(r)}</pre>
  </div>`;
}

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
    tests: { state: true },
  };
  declare state: StateDocument | null;
  declare now: number;
  declare tests: ReadonlyMap<string, TestState>;

  constructor() {
    super();
    this.state = null;
    this.now = 0;
    this.tests = new Map();
  }

  private setTest(name: string, t: TestState): void {
    this.tests = new Map(this.tests).set(name, t);
  }

  private async runTest(name: string): Promise<void> {
    this.setTest(name, { busy: true });
    const r = await postJson(`/api/v2/sources/${encodeURIComponent(name)}/test`);
    if (r.ok) this.setTest(name, { busy: false, result: r.data as TestResult });
    else this.setTest(name, { busy: false, failure: r.status === 401 ? "Sign in to test a source." : r.error });
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
          const t = this.tests.get(s.name);
          return html`<li data-testid="energy-source" data-source=${s.name}>
            ${stateTag(s)} <strong>${s.name}</strong>
            ${PUSH_SOURCES.has(s.name)
              ? nothing
              : html`<button
                  type="button"
                  class="btn btn-small"
                  data-testid="source-test"
                  aria-label=${`Test ${s.name}: poll it once and show the raw answer`}
                  ?disabled=${t?.busy === true}
                  @click=${() => void this.runTest(s.name)}
                >
                  Test
                </button>`}
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
            ${t ? testView(t) : nothing}
          </li>`;
        })}
      </ul>
    </section>`;
  }
}
customElements.define("twc-energy-sources", EnergySources);
