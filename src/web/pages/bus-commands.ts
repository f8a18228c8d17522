/** Start / Stop all chargers (http-api.md §7.3, §7.4) behind a confirmation dialog. */
import { html } from "lit";
import { FormElement } from "../components/form-element.ts";
import { confirmDialog } from "../components/confirm.ts";
import { formStatus } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";

const WARNING =
  "Tesla cars stopped with the charger's stop command may not resume charging until they are unplugged and plugged in again.";

/** <twc-bus-commands>. */
export class BusCommands extends FormElement {
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
    const r = await this.postForm(
      kind === "stop" ? "/api/sendStopCommand" : "/api/sendStartCommand",
      undefined,
      [],
    );
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
