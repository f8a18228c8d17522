/** Debug page (`/debug`, http-api.md §10, §7.13): debug commands, last TWC response, spike toggles, bus statistics. */
import { html, nothing, type TemplateResult } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { getText } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import { describedBy, fieldError, formStatus } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { fmtDateTime } from "../format.ts";
import { browserClock } from "../context.ts";
import { flag } from "../settings-model.ts";
import { checkHex } from "../validate.ts";
import { SettingSaver } from "./setting-save.ts";
import "./tesla-command.ts";

/** Why the bus link is down, from the BUS_OPEN_FAILED alert (its reason and fix), or nothing. */
function openFailure(s: StateDocument): TemplateResult | typeof nothing {
  const alert = s.alerts.find((a) => a.code === "BUS_OPEN_FAILED");
  return alert ? html`<span class="muted" data-test="bus-open-failure">— ${alert.message}</span>` : nothing;
}

const FIELDS = ["commandName", "customCommand", "twcID"] as const;
/** <twc-debug .state .settings .full>. */
export class DebugPage extends FormElement {
  static override properties = {
    state: { attribute: false },
    settings: { attribute: false },
    full: { type: Boolean },
    command: { state: true },
    custom: { state: true },
    target: { state: true },
    response: { state: true },
  };
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare full: boolean;
  declare command: "GetFirmwareVersion" | "Custom";
  declare custom: string;
  declare target: string;
  declare response: string | null;
  private readonly saver = new SettingSaver(() => this.requestUpdate());

  constructor() {
    super();
    this.state = null;
    this.settings = {};
    this.full = false;
    this.command = "GetFirmwareVersion";
    this.custom = "";
    this.target = "";
    this.response = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.readResponse();
  }

  private async readResponse(): Promise<void> {
    const r = await getText("/api/getLastTWCResponse");
    this.response = r.ok ? r.data : null;
  }

  private async send(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    if (this.command === "Custom") {
      const bad = checkHex(this.custom);
      if (bad) {
        this.errors = { customCommand: bad };
        this.ok = null;
        return;
      }
    }
    const r = await this.postForm(
      "/api/sendDebugCommand",
      {
        commandName: this.command,
        ...(this.command === "Custom" ? { customCommand: this.custom } : {}),
        ...(this.target ? { twcID: this.target } : {}),
      },
      FIELDS,
    );
    this.ok = r.ok ? "Sent. The response below refreshes in a moment." : null;
    if (r.ok) {
      // The charger answers within a heartbeat or two; read the capture then.
      browserClock.setTimeout(() => void this.readResponse(), 1500);
    }
  }

  private toggle(key: string, label: string, id: string, hint: string): TemplateResult {
    const v = flag(this.saver.merged(this.settings), key);
    return html`<div class="toggle-block">
      <div class="field field-inline">
        <input
          id=${id}
          type="checkbox"
          class="switch"
          .checked=${v === true}
          .indeterminate=${v === null}
          aria-invalid=${this.saver.invalid(key)}
          aria-describedby="${id}-hint ${id}-error"
          @change=${(e: Event) => void this.saver.save(key, (e.target as HTMLInputElement).checked)}
        />
        <label for=${id}>${label}</label>
      </div>
      <p class="hint" id="${id}-hint">${hint}${v === null ? " Current value unknown." : ""}</p>
      ${this.saver.feedback(key, `${id}-error`)}
    </div>`;
  }

  private commandForm(s: StateDocument): TemplateResult {
    const inv = (f: string): string => (this.errors[f] ? "true" : "false");
    return html`<form
      class="card form"
      novalidate
      @submit=${(e: Event) => void this.send(e)}
      aria-labelledby="cmd-title"
    >
      <h2 id="cmd-title">Send a debug command</h2>
      <fieldset>
        <legend>Command</legend>
        <label class="radio"
          ><input
            type="radio"
            name="cmd"
            .checked=${this.command === "GetFirmwareVersion"}
            @change=${() => (this.command = "GetFirmwareVersion")}
          /><span>Get firmware version</span></label
        >
        <label class="radio"
          ><input
            type="radio"
            name="cmd"
            .checked=${this.command === "Custom"}
            @change=${() => (this.command = "Custom")}
          /><span>Custom frame (hex)</span></label
        >
        ${fieldError(this.errors, "commandName", "dbg-cmd-error")}
      </fieldset>
      ${
        this.command === "Custom"
          ? html`<div class="field">
              <label for="dbg-hex">Frame bytes</label>
              <input
                id="dbg-hex"
                class="mono"
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder="FB 1B 77 77 41 42 00 00 A0 00 00 00 00"
                .value=${this.custom}
                aria-invalid=${inv("customCommand")}
                aria-describedby=${describedBy(this.errors, "customCommand", "dbg-hex-error", "dbg-hex-hint")}
                @input=${(e: Event) => (this.custom = (e.target as HTMLInputElement).value)}
              />
              <p class="hint" id="dbg-hex-hint">
                2 to 32 bytes in hex, spaces or colons allowed; checksum and framing are added. Frames that
                could disable a charger are refused.
              </p>
              ${fieldError(this.errors, "customCommand", "dbg-hex-error")}
            </div>`
          : nothing
      }
      <div class="field">
        <label for="dbg-target">Charger</label>
        <select
          id="dbg-target"
          aria-invalid=${inv("twcID")}
          aria-describedby=${describedBy(this.errors, "twcID", "dbg-target-error")}
          @change=${(e: Event) => (this.target = (e.target as HTMLSelectElement).value)}
        >
          <option value="" ?selected=${this.target === ""}>First linked charger</option>
          ${s.chargers.map((c) => html`<option value=${c.id} ?selected=${this.target === c.id}>Charger ${c.id}</option>`)}
        </select>
        ${fieldError(this.errors, "twcID", "dbg-target-error")}
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>Send</button>
      </div>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </form>`;
  }

  protected override render(): unknown {
    const s = this.state;
    if (!s)
      return html`<h1>Debug</h1>
        <p class="loading" role="status">Loading…</p>`;
    const enabled = flag(this.saver.merged(this.settings), "enableDebugCommands");
    const st = s.bus.stats;
    return html`<h1>Debug</h1>
      <div class="grid-2">
        <section class="card form" aria-labelledby="dbg-en-title">
          <h2 id="dbg-en-title">Debug commands</h2>
          ${this.toggle("enableDebugCommands", "Allow debug commands", "dbg-enable", "Lets this page send raw frames to the chargers.")}
        </section>
        ${
          enabled === false
            ? html`<section class="card">
                <h2>Send a debug command</h2>
                <p class="muted">Turn on “Allow debug commands” to send commands.</p>
              </section>`
            : this.commandForm(s)
        }
        <section class="card" aria-labelledby="resp-title">
          <h2 id="resp-title">Last charger response</h2>
          <pre class="hex" aria-live="polite" data-testid="last-response">
${this.response === null ? "—" : this.response === "" ? "(nothing captured since the last command)" : this.response}</pre>
          <div class="actions">
            <button type="button" class="btn btn-small" @click=${() => void this.readResponse()}>
              Refresh
            </button>
          </div>
        </section>
        <twc-tesla-command .state=${s}></twc-tesla-command>
        <section class="card form" aria-labelledby="spike-title">
          <h2 id="spike-title">Spike amps</h2>
          ${this.toggle("spikeAmpsProactively", "Spike proactively", "dbg-spike-pro", "Briefly offer more after raising the limit, so cars leave their 6 A fallback.")}
          ${this.toggle("spikeAmpsReactively", "Spike reactively", "dbg-spike-re", "Spike when a car stays at 6 A after a raise.")}
        </section>
        <section class="card span-2" aria-labelledby="bus-title">
          <h2 id="bus-title">Bus</h2>
          <dl class="facts facts-row">
            <div>
              <dt>Interface</dt>
              <dd>${s.bus.interface}${s.bus.endpoint ? ` (${s.bus.endpoint})` : ""}</dd>
            </div>
            <div>
              <dt>Connection</dt>
              <dd>
                ${s.bus.connected ? html`${icon("check")} connected` : html`${icon("cross")} disconnected`}
                ${s.bus.connected ? nothing : openFailure(s)}
              </dd>
            </div>
            <div>
              <dt>Mode</dt>
              <dd>${s.mode}</dd>
            </div>
            <div>
              <dt>Frames received</dt>
              <dd class="num">${st.framesReceived}</dd>
            </div>
            <div>
              <dt>Frames sent</dt>
              <dd class="num">${st.framesSent}</dd>
            </div>
            <div>
              <dt>Frames dropped</dt>
              <dd class="num">${st.framesDropped}</dd>
            </div>
            <div>
              <dt>Checksum errors</dt>
              <dd class="num">${st.checksumErrors}</dd>
            </div>
            <div>
              <dt>Noise bytes</dt>
              <dd class="num">${st.noiseBytes}</dd>
            </div>
          </dl>
          <p class="muted small">Statistics refresh every 10 s; last ${fmtDateTime(st.updatedAt)}.</p>
        </section>
      </div>`;
  }
}
customElements.define("twc-debug", DebugPage);
