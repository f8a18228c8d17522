/**
 * Logs page (`/logs`, issue 13 §2): the recent log lines from /api/v2/logs, new ones live from
 * /api/v2/logs/stream (SSE, resumed after a reconnect by Last-Event-ID), filtered by level and module,
 * downloadable as text. The log needs credentials whenever authentication is on (http/v2/logs.ts).
 */
import { html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { getJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { browserClock } from "../context.ts";
import { downloadText } from "../download.ts";
import { asLogEntry, downloadTextOf, filterEntries, LOG_LEVELS, mergeEntries, moduleNames, type LogEntry } from "../logs-model.ts";
import "../styles/logs.css";

type Status = "loading" | "live" | "reconnecting" | "refused";

const pad = (n: number): string => String(n).padStart(2, "0");

/** <twc-logs>. */
export class LogsPage extends LightElement {
  static override properties = {
    entries: { state: true },
    modules: { state: true },
    level: { state: true },
    module: { state: true },
    follow: { state: true },
    status: { state: true },
    refusal: { state: true },
    needsLogin: { state: true },
  };
  declare entries: LogEntry[];
  declare modules: string[];
  declare level: string;
  declare module: string;
  declare follow: boolean;
  declare status: Status;
  declare refusal: string | null;
  declare needsLogin: boolean;
  private stream: EventSource | null = null;
  private pending: LogEntry[] = [];
  private flushQueued = false;

  constructor() {
    super();
    this.entries = [];
    this.modules = [];
    this.level = "";
    this.module = "";
    this.follow = true;
    this.status = "loading";
    this.refusal = null;
    this.needsLogin = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stream?.close();
    this.stream = null;
  }

  private async load(): Promise<void> {
    const r = await getJson("/api/v2/logs?limit=2000");
    if (!this.isConnected) return;
    if (!r.ok) {
      this.status = "refused";
      this.refusal = r.error;
      this.needsLogin = r.status === 401;
      return;
    }
    const doc = r.data as { bootId?: unknown; modules?: unknown; records?: unknown };
    const records = Array.isArray(doc.records) ? doc.records.map(asLogEntry).filter((e): e is LogEntry => e !== null) : [];
    this.entries = mergeEntries(this.entries, records);
    this.modules = moduleNames(this.entries, Array.isArray(doc.modules) ? doc.modules.filter((m): m is string => typeof m === "string") : []);
    const last = this.entries[this.entries.length - 1]?.seq ?? 0;
    // The stream continues exactly after this answer; EventSource resumes by Last-Event-ID after a drop.
    const after = typeof doc.bootId === "string" ? `?lastEventId=${encodeURIComponent(`${doc.bootId}:${last}`)}` : "";
    this.open(`/api/v2/logs/stream${after}`);
  }

  private open(url: string): void {
    const es = new EventSource(url);
    this.stream = es;
    es.addEventListener("open", () => (this.status = "live"));
    es.addEventListener("log", (ev) => {
      try {
        const e = asLogEntry(JSON.parse((ev as MessageEvent<string>).data));
        if (e) this.queue(e);
      } catch {
        // A malformed event is skipped.
      }
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        // Refused (401/403 after a logout) or gone: start over in a moment.
        es.close();
        this.status = "reconnecting";
        browserClock.setTimeout(() => {
          if (this.isConnected && this.stream === es) void this.load();
        }, 5000);
      } else {
        this.status = "reconnecting";
      }
    };
  }

  /** Records arrive in bursts: they are rendered once per frame. */
  private queue(e: LogEntry): void {
    this.pending.push(e);
    if (this.flushQueued) return;
    this.flushQueued = true;
    requestAnimationFrame(() => {
      this.flushQueued = false;
      const more = this.pending;
      this.pending = [];
      this.entries = mergeEntries(this.entries, more);
      if (more.some((m) => !this.modules.includes(m.module ?? "-"))) this.modules = moduleNames(this.entries, this.modules);
    });
  }

  protected override updated(): void {
    if (!this.follow) return;
    const box = this.querySelector<HTMLElement>(".log-lines");
    if (box) box.scrollTop = box.scrollHeight;
  }

  private download(shown: readonly LogEntry[]): void {
    const d = new Date(browserClock.now());
    const name = `twcmanager-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.log`;
    downloadText(name, downloadTextOf(shown), "text/plain;charset=utf-8");
  }

  private statusText(): TemplateResult {
    switch (this.status) {
      case "loading":
        return html`<span class="muted" role="status">Loading…</span>`;
      case "live":
        return html`<span class="muted" role="status" data-testid="logs-live">Live</span>`;
      case "reconnecting":
        return html`<span class="muted" role="status">Reconnecting…</span>`;
      case "refused":
        return html`<span class="muted" role="status">Not available</span>`;
    }
  }

  protected override render(): unknown {
    if (this.status === "refused") {
      return html`<h1>Logs</h1>
        <div class="alert alert-warning" role="alert" data-testid="logs-refused">
          <p>
            ${this.refusal}${
              this.needsLogin ? html` — <a href="/login?next=${encodeURIComponent("/logs")}">sign in</a>` : nothing
            }
          </p>
        </div>`;
    }
    const shown = filterEntries(this.entries, this.level, this.module);
    return html`<h1>Logs</h1>
      <section class="card" aria-labelledby="logs-title">
        <div class="card-head">
          <h2 id="logs-title">Recent lines</h2>
          ${this.statusText()}
        </div>
        <div class="log-toolbar">
          <div class="field">
            <label for="logs-level">Level</label>
            <select id="logs-level" @change=${(e: Event) => (this.level = (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${this.level === ""}>All levels</option>
              ${LOG_LEVELS.map((l) => html`<option value=${l.name} ?selected=${this.level === l.name}>${l.name.toUpperCase()} and above</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="logs-module">Module</label>
            <select id="logs-module" @change=${(e: Event) => (this.module = (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${this.module === ""}>All modules</option>
              ${this.modules.map((m) => html`<option value=${m} ?selected=${this.module === m}>${m === "-" ? "(none)" : m}</option>`)}
            </select>
          </div>
          <div class="field field-inline">
            <input id="logs-follow" type="checkbox" class="switch" .checked=${this.follow} @change=${(e: Event) => (this.follow = (e.target as HTMLInputElement).checked)} />
            <label for="logs-follow">Follow new lines</label>
          </div>
          <div class="actions">
            <button type="button" class="btn btn-small" data-testid="logs-download" ?disabled=${shown.length === 0} @click=${() => this.download(shown)}>
              Download
            </button>
          </div>
        </div>
        <p class="muted small" data-testid="logs-count">Showing ${shown.length} of ${this.entries.length} lines.</p>
        <ol class="log-lines" role="log" aria-live="off" aria-label="Log lines" tabindex="0">
          ${repeat(shown, (e) => e.seq, (e) => html`<li class="log-line log-${e.level}" data-level=${e.level} data-module=${e.module ?? "-"}>${e.line}</li>`)}
        </ol>
      </section>`;
  }
}
customElements.define("twc-logs", LogsPage);
