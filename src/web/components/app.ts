/** The application shell: header with navigation and connection badge, alert banners, the page for the path. */
import { html, nothing, type TemplateResult } from "lit";
import type { Alert, StateDocument } from "../../state/types.ts";
import type { TimerHandle } from "../clock.ts";
import { browserClock, knownSettings, live, onSettings, reloadSettings } from "../context.ts";
import type { Connection } from "../live.ts";
import { detailVin, interceptLinks, ROUTES, routeFor } from "../router.ts";
import { settingsFromState } from "../settings-model.ts";
import { fmtDateTime } from "../format.ts";
import "../pages/dashboard.ts";
import "../pages/debug.ts";
import "../pages/logs.ts";
import "../pages/policy.ts";
import "../pages/schedule.ts";
import "../pages/settings.ts";
import "../pages/tesla-account.ts";
import "../pages/vehicle-detail.ts";
import "../pages/vehicles.ts";
import { LightElement } from "./base.ts";
import { icon } from "./icons.ts";
import "./sign-in.ts";

const SEVERITY_WORD: Record<Alert["severity"], string> = { error: "Error", warning: "Warning", info: "Note" };

/** An alert message with its `backticked` parts (config keys, commands) as code. */
function withCode(message: string): (string | TemplateResult)[] {
  return message.split("`").map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part));
}

/** <twc-app>: owns the live state, the clock tick and the router. */
export class TwcApp extends LightElement {
  static override properties = {
    path: { state: true },
    state: { state: true },
    connection: { state: true },
    pollError: { state: true },
    now: { state: true },
    settings: { state: true },
    graphsLoaded: { state: true },
  };
  declare path: string;
  declare state: StateDocument | null;
  declare connection: Connection;
  declare pollError: string | null;
  declare now: number;
  declare settings: Record<string, unknown> | null;
  declare graphsLoaded: boolean;
  private cleanups: (() => void)[] = [];
  private tick: TimerHandle | null = null;

  constructor() {
    super();
    this.path = location.pathname;
    this.state = null;
    this.connection = "connecting";
    this.pollError = null;
    this.now = browserClock.now();
    this.settings = knownSettings();
    this.graphsLoaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.cleanups.push(
      live.subscribe((snap) => {
        this.state = snap.state;
        this.connection = snap.connection;
        this.pollError = snap.error;
      }),
      onSettings((s) => (this.settings = s)),
      interceptLinks(this, (p) => this.go(p)),
    );
    const onPop = (): void => this.setPath(location.pathname, false);
    window.addEventListener("popstate", onPop);
    this.cleanups.push(() => window.removeEventListener("popstate", onPop));
    // A page's form that leads to another page (the Tesla login result) asks for it with this event.
    const onNavigate = (ev: Event): void => this.go((ev as CustomEvent<string>).detail);
    this.addEventListener("twc-navigate", onNavigate);
    this.cleanups.push(() => this.removeEventListener("twc-navigate", onNavigate));
    this.tick = browserClock.setInterval(() => (this.now = browserClock.now()), 1000);
    live.start();
    void reloadSettings();
    this.setPath(location.pathname, false);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const c of this.cleanups) c();
    this.cleanups = [];
    if (this.tick !== null) browserClock.clearInterval(this.tick);
    live.stop();
  }

  private go(path: string): void {
    if (path !== location.pathname + location.search + location.hash) history.pushState(null, "", path);
    this.setPath(new URL(path, location.href).pathname, true);
  }

  private setPath(path: string, moveFocus: boolean): void {
    this.path = path;
    const route = routeFor(path);
    document.title = `${route?.title ?? "Not found"} · TWCManager`;
    if (path === "/graphs" && !this.graphsLoaded) {
      // uPlot is only needed on this page: keep it out of the dashboard bundle.
      void import("../pages/graphs.ts").then(() => (this.graphsLoaded = true));
    }
    if (moveFocus) {
      void this.updateComplete.then(() => {
        window.scrollTo(0, 0);
        this.querySelector<HTMLElement>("main")?.focus();
      });
    }
  }

  private badge(): TemplateResult {
    const c = this.connection;
    // issue 12 §1: the page is live, but the controller cannot reach the chargers: not a green "Live".
    if (c === "live" && this.state?.bus.connected === false)
      return html`<span class="conn conn-down" role="status" data-testid="bus-down" title="Connected to the controller; the controller's bus link is down"
        >${icon("alert")}<span>Live · bus down</span></span
      >`;
    if (c === "live")
      return html`<span class="conn conn-live" role="status">${icon("dot")}<span>Live</span></span>`;
    if (c === "connecting")
      return html`<span class="conn conn-wait" role="status">${icon("clock")}<span>Connecting…</span></span>`;
    return html`<span class="conn conn-down" role="status" data-testid="disconnected"
      >${icon("alert")}<span
        >Disconnected —
        retrying${this.state ? html`<span class="conn-extra">; values refresh every 5 s</span>` : nothing}</span
      ></span
    >`;
  }

  private alerts(s: StateDocument | null): TemplateResult | typeof nothing {
    const list = s?.alerts ?? [];
    if (list.length === 0 && !this.pollError) return nothing;
    return html`<div class="alerts">
      ${
        this.pollError && this.connection === "polling"
          ? html`<div class="alert alert-error" role="alert">
              ${icon("alert")}
              <p><strong>Error:</strong> ${this.pollError}</p>
            </div>`
          : nothing
      }
      ${list.map(
        (a) =>
          html`<div
            class="alert alert-${a.severity}"
            role=${a.severity === "error" ? "alert" : "status"}
            data-code=${a.code}
          >
            ${icon(a.severity === "info" ? "info" : "alert")}
            <p>
              <strong>${SEVERITY_WORD[a.severity]}:</strong>
              ${withCode(a.message)}${a.twcId ? ` (charger ${a.twcId})` : ""}
              <span class="muted small">since ${fmtDateTime(a.since)}</span>
            </p>
          </div>`,
      )}
    </div>`;
  }

  private page(): TemplateResult {
    const s = this.state;
    // The state document is live; the settings endpoint fills in the keys it does not mirror.
    const settings = { ...(this.settings ?? {}), ...(s ? settingsFromState(s) : {}) };
    const full = this.settings !== null;
    switch (this.path) {
      case "/":
        return html`<twc-dashboard .state=${s} .now=${this.now}></twc-dashboard>`;
      case "/graphs":
        return this.graphsLoaded
          ? html`<twc-graphs .state=${s}></twc-graphs>`
          : html`<p class="loading" role="status">Loading…</p>`;
      case "/schedule":
        return html`<twc-schedule .state=${s} .settings=${settings} .now=${this.now}></twc-schedule>`;
      case "/policy":
        return html`<twc-policy .state=${s} .settings=${settings} .now=${this.now}></twc-policy>`;
      case "/settings":
        return html`<twc-settings .state=${s} .settings=${settings} .full=${full}></twc-settings>`;
      case "/debug":
        return html`<twc-debug .state=${s} .settings=${settings} .full=${full}></twc-debug>`;
      case "/logs":
        return html`<twc-logs></twc-logs>`;
      case "/vehicles":
        return html`<twc-vehicles .state=${s} .now=${this.now}></twc-vehicles>`;
      default: {
        const vin = detailVin(this.path);
        if (vin !== null)
          return html`<twc-vehicle-detail .vin=${vin} .state=${s} .settings=${settings} .now=${this.now}></twc-vehicle-detail>`;
        if (routeFor(this.path)?.title === "Tesla account")
          return html`<twc-tesla-account .state=${s} .path=${this.path}></twc-tesla-account>`;
        return html`<h1>Page not found</h1>
          <p><a href="/">Go to the dashboard</a></p>`;
      }
    }
  }

  protected override render(): unknown {
    const s = this.state;
    const current = routeFor(this.path);
    const navPath = current?.nav ?? current?.path ?? this.path;
    return html`<a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <div class="topbar-inner">
          <a class="brand" href="/">${icon("bolt", "brand-icon")}<span>TWCManager</span></a>
          <nav aria-label="Pages">
            <ul>
              ${ROUTES.map(
                (r) =>
                  html`<li>
                    <a href=${r.path} aria-current=${r.path === navPath ? "page" : nothing}>${r.title}</a>
                  </li>`,
              )}
            </ul>
          </nav>
          ${this.badge()}
          <twc-sign-in .path=${this.path}></twc-sign-in>
        </div>
      </header>
      <main
        id="main"
        tabindex="-1"
        class=${this.connection === "polling" && this.pollError ? "is-stale" : ""}
      >
        ${this.alerts(s)} ${this.page()}
      </main>
      <footer class="footer">
        ${
          s
            ? html`<p>
                TWCManager ${s.version} · ${s.bus.interface} bus, ${s.mode} mode · running since
                ${fmtDateTime(s.startedAt)}
              </p>`
            : nothing
        }
      </footer>`;
  }
}
customElements.define("twc-app", TwcApp);
