/**
 * Policy page (`/policy`, http-api.md §10): the effective list, each condition in words and as written
 * with its live value, Force this policy. Conditions are evaluated in the controller's time zone (issue 12 §8).
 */
import { html, nothing, type TemplateResult } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { getJson, postJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { errorsFrom, formStatus, type Errors } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import { fmtClock, fmtDateTime, zoneNote } from "../format.ts";
import { betweenSentence, conditionSentence } from "../policy-summary.ts";
import {
  asPolicyList,
  conditionTree,
  conditionWords,
  evaluate,
  evaluateLeaf,
  resolveOperand,
  showValue,
  type CondNode,
  type PolicyRecord,
  type Resolved,
  type ResolveContext,
  type Truth,
} from "../policy-eval.ts";

const DEFAULT_NAMES = [
  "Charge Now",
  "Scheduled Charging",
  "Track Green Energy",
  "Non Scheduled Charging",
  "Track Green Energy",
];

/** Where config.json `policy` inserts custom entries, by the default entry they precede. */
function insertionPoints(list: PolicyRecord[]): Map<number, string> {
  const names = list.map((p) => p.name);
  const out = new Map<number, string>();
  const idx = (n: string, from = 0): number => names.indexOf(n, from);
  const cn = idx("Charge Now");
  const sc = idx("Scheduled Charging");
  const nsc = idx("Non Scheduled Charging");
  // Only meaningful for the default list (not for policy.override).
  if (cn < 0 || sc < cn || nsc < sc || DEFAULT_NAMES.some((n) => !names.includes(n))) return out;
  out.set(cn, "Emergency policies (policy.emergency) go here");
  out.set(sc, "“Before” policies (policy.before) go here");
  out.set(nsc, "“After” policies (policy.after) go here");
  return out;
}

function truthLabel(t: Truth): TemplateResult {
  if (t === null)
    return html`<span class="truth truth-unknown">${icon("question")}<span>unknown</span></span>`;
  return t
    ? html`<span class="truth truth-true">${icon("check")}<span>true</span></span>`
    : html`<span class="truth truth-false">${icon("cross")}<span>false</span></span>`;
}

/** A resolved value for display; epoch seconds (e.g. chargeNowTimeEnd) read better as a time (the controller's). */
function shown(r: Resolved, timeZone?: string): string {
  if (r.known && typeof r.value === "number" && r.value > 1e9 && r.value < 1e10)
    return fmtDateTime(r.value * 1000, timeZone);
  return showValue(r);
}

/** "it is between 06:00 and 20:00" for an AND group that bounds the hour, else null. */
function groupWords(n: Extract<CondNode, { kind: "group" }>, ctx: ResolveContext): string | null {
  if (n.op !== "and") return null;
  const leaves = n.children.flatMap((c) => {
    if (c.kind !== "leaf") return [];
    const v = resolveOperand(c.value, ctx);
    return [{ match: c.match, condition: c.condition, value: v.known ? v.value : undefined }];
  });
  return betweenSentence(leaves);
}

function operand(x: unknown): string {
  return typeof x === "string" ? x : JSON.stringify(x);
}

/** <twc-policy .state .settings .now>. */
export class PolicyPage extends LightElement {
  static override properties = {
    state: { attribute: false },
    settings: { attribute: false },
    now: { type: Number },
    list: { state: true },
    loadError: { state: true },
    errors: { state: true },
    ok: { state: true },
    busy: { state: true },
    authRequired: { state: true },
  };
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare now: number;
  declare list: PolicyRecord[] | null;
  declare loadError: string | null;
  declare errors: Errors;
  declare ok: string | null;
  declare busy: string | null;
  declare authRequired: boolean;

  constructor() {
    super();
    this.state = null;
    this.settings = {};
    this.now = 0;
    this.list = null;
    this.loadError = null;
    this.errors = {};
    this.ok = null;
    this.busy = null;
    this.authRequired = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const r = await getJson("/api/getPolicy");
    if (!r.ok) {
      this.loadError = r.error;
      return;
    }
    this.list = asPolicyList(r.data);
    this.loadError = this.list ? null : "The policy list could not be read.";
  }

  private async force(name: string): Promise<void> {
    this.busy = name;
    const r = await postJson("/api/setPolicy", { policy: name });
    this.busy = null;
    this.errors = errorsFrom(r, ["policy"], "");
    this.authRequired = !r.ok && r.status === 401;
    this.ok = r.ok ? `“${name}” is forced for one policy check interval.` : null;
    if (r.ok) afterAction();
  }

  private node(n: CondNode, ctx: ResolveContext): TemplateResult {
    if (n.kind === "group") {
      if (n.children.length === 0)
        return html`<p class="muted small">
          No conditions (${n.op === "and" ? "always matches" : "never matches"}).
        </p>`;
      const between = groupWords(n, ctx);
      return html`<div class="cond-group cond-${n.op}">
        <p class="cond-head">
          ${n.op === "and" ? "All of these" : "Any of these"} ${truthLabel(evaluate(n, ctx))}
          ${between ? html`<span class="cond-words" data-testid="cond-between">— ${between}</span>` : nothing}
        </p>
        <ul>
          ${n.children.map((c) => html`<li>${this.node(c, ctx)}</li>`)}
        </ul>
      </div>`;
    }
    if (n.kind === "malformed")
      return html`<div class="cond-leaf">
        <span class="cond-expr muted">Malformed entry (never holds)</span> ${truthLabel(false)}
      </div>`;
    const a = resolveOperand(n.match, ctx);
    const b = resolveOperand(n.value, ctx);
    // "now" is the current time: its epoch value says nothing to a reader.
    const showB = typeof n.value === "string" && n.value !== "now" && showValue(b) !== n.value;
    const tz = ctx.timeZone;
    const words = conditionSentence(n.match, n.condition, n.value, b.known ? b.value : undefined);
    return html`<div class="cond-leaf">
      <span class="cond-words" data-testid="cond-words">${words}</span>
      <span class="cond-expr"
        ><code>${operand(n.match)}</code> <span class="cond-now">(now ${shown(a, tz)})</span>
        <span class="cond-op">${conditionWords(n.condition)}</span>
        ${
          n.condition === "none" || n.condition === "false"
            ? nothing
            : html`<code>${operand(n.value)}</code
                >${showB ? html` <span class="cond-now">(now ${shown(b, tz)})</span>` : nothing}`
        }</span
      >
      ${truthLabel(evaluateLeaf(n, ctx))}
    </div>`;
  }

  private entry(p: PolicyRecord, i: number, ctx: ResolveContext, activeIdx: number): TemplateResult {
    const s = this.state;
    const active = i === activeIdx;
    const forced = s?.policy.forced?.name === p.name && active;
    const green = p.charge_amps === undefined;
    const latch = typeof p.__latchTime === "number" ? p.__latchTime * 1000 : null;
    return html`<li class="card policy ${active ? "policy-active" : ""}" aria-labelledby="pol-${i}">
      <header class="policy-head">
        <h2 id="pol-${i}"><span class="policy-index">${i + 1}.</span> ${p.name}</h2>
        <div class="tags">
          ${active ? html`<span class="tag tag-active">${icon("check")}Active</span>` : nothing}
          ${forced ? html`<span class="tag tag-warn">Forced until ${fmtClock(s?.policy.forced?.until ?? null, ctx.timeZone)}</span>` : nothing}
          ${latch !== null ? html`<span class="tag">Latched until ${fmtClock(latch, ctx.timeZone)}</span>` : nothing}
          <span class="tag"
            >${green ? html`${icon("sun")}Green (solar)` : html`${icon("bolt")}Fixed: <code>${operand(p.charge_amps)}</code>`}</span
          >
        </div>
      </header>
      ${this.node(conditionTree(p), ctx)}
      <div class="actions">
        <button
          type="button"
          class="btn"
          ?disabled=${this.busy !== null}
          @click=${() => void this.force(p.name)}
          aria-describedby="force-hint"
        >
          Force this policy
        </button>
      </div>
    </li>`;
  }

  protected override render(): unknown {
    const s = this.state;
    const ctx: ResolveContext = {
      nowMs: this.now,
      settings: this.settings,
      scheduledNow: s ? s.schedule.activeNow : null,
      ...(s?.clock ? { timeZone: s.clock.timeZone } : {}),
    };
    const list = this.list;
    // The active entry: the first with the active name (duplicates share a name, e.g. Track Green Energy).
    let activeIdx = -1;
    if (list && s?.policy.active) {
      const byName = list.map((p, i) => (p.name === s.policy.active ? i : -1)).filter((i) => i >= 0);
      activeIdx =
        byName.find(
          (i) => evaluate(conditionTree(list[i] ?? { match: [], condition: [], value: [] }), ctx) !== false,
        ) ??
        byName[0] ??
        -1;
    }
    const points = list ? insertionPoints(list) : new Map<number, string>();
    return html`<h1>Policy</h1>
      <p class="lead">
        Policies are checked in order; the first whose conditions all hold decides how many amps the chargers
        share. Values marked “—” cannot be worked out in the browser (configuration values, the solar
        computation).
        <span data-testid="policy-zone"
          >${zoneNote(s?.clock).replace(/^t/, "T")}; conditions on the time are checked in that zone too.</span
        >
      </p>
      <p class="hint" id="force-hint">
        ${icon("info")} Forcing a policy applies it at once for one policy check interval (30 s unless
        configured otherwise); then normal selection resumes. Charge Now and Cancel end it early.
      </p>
      ${formStatus(this.errors, this.ok, this.authRequired)}
      ${this.loadError ? html`<p class="field-error" role="alert">${icon("alert")}<span>${this.loadError}</span></p>` : nothing}
      ${
        list
          ? html`<ol class="policy-list">
              ${list.map(
                (p, i) =>
                  html`${points.has(i) ? html`<li class="insert-point"><span>${points.get(i)}</span></li>` : nothing}
                  ${this.entry(p, i, ctx, activeIdx)}`,
              )}
            </ol>`
          : this.loadError
            ? nothing
            : html`<p class="loading" role="status">Loading…</p>`
      }`;
  }
}
customElements.define("twc-policy", PolicyPage);
