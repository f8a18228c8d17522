/** Start / Stop all chargers (http-api.md §7.3, §7.4) behind a confirmation dialog. */
import { html } from "lit";
import { postJson } from "../api.ts";
import { LightElement } from "../components/base.ts";
import { confirmDialog } from "../components/confirm.ts";
import { errorsFrom, formStatus, type Errors } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";

const WARNING =
  "Tesla cars stopped with the charger's stop command may not resume charging until they are unplugged and plugged in again.";

/** <twc-bus-commands>. */
export class BusCommands extends LightElement {
  static override properties = {
    errors: { state: true },
    ok: { state: true },
    busy: { state: true },
    authRequired: { state: true },
  };
  declare errors: Errors;
  declare ok: string | null;
  declare busy: boolean;
  declare authRequired: boolean;

  constructor() {
    super();
    this.errors = {};
    this.ok = null;
    this.busy = false;
    this.authRequired = false;
  }

  private async send(kind: "start" | "stop"): Promise<void> {
    const yes = await confirmDialog({
      title: kind === "stop" ? "Stop all chargers?" : "Start all chargers?",
      body: html`<p>
          ${
            kind === "stop"
              ? "This sends the stop command to every linked charger, ending any charging now."
              : "This sends the start command to every linked charger."
          }
        </p>
        <p class="callout">${icon("alert")}<span>${WARNING}</span></p>`,
      confirmLabel: kind === "stop" ? "Stop all chargers" : "Start all chargers",
      danger: kind === "stop",
    });
    if (!yes) return;
    this.busy = true;
    const r = await postJson(kind === "stop" ? "/api/sendStopCommand" : "/api/sendStartCommand");
    this.busy = false;
    this.errors = errorsFrom(r, []);
    this.authRequired = !r.ok && r.status === 401;
    this.ok = r.ok
      ? kind === "stop"
        ? "Stop command sent to every charger."
        : "Start command sent to every charger."
      : null;
    if (r.ok) afterAction();
  }

  protected override render(): unknown {
    return html`<section class="card" aria-labelledby="bus-title">
      <h2 id="bus-title">Charger commands</h2>
      <p class="muted small">${WARNING}</p>
      <div class="actions">
        <button type="button" class="btn" ?disabled=${this.busy} @click=${() => void this.send("start")}>
          ${icon("bolt")}Start all chargers
        </button>
        <button
          type="button"
          class="btn btn-danger-outline"
          ?disabled=${this.busy}
          @click=${() => void this.send("stop")}
        >
          ${icon("stop")}Stop all chargers
        </button>
      </div>
      ${formStatus(this.errors, this.ok, this.authRequired)}
    </section>`;
  }
}
customElements.define("twc-bus-commands", BusCommands);
