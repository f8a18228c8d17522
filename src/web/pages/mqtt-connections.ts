/** The dashboard's MQTT card: each broker connection (connected, broker, since, last error, its modules). */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { LightElement } from "../components/base.ts";
import { icon } from "../components/icons.ts";
import { fmtDuration, isoMs } from "../format.ts";

/** <twc-mqtt-connections .state .now>: nothing when no MQTT module is configured. */
export class MqttConnections extends LightElement {
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
    const conns = this.state?.mqtt.connections ?? [];
    if (conns.length === 0) return nothing;
    return html`<section class="card" aria-labelledby="mqtt-title" data-testid="mqtt-connections">
      <h2 id="mqtt-title">MQTT</h2>
      <ul class="mqtt-list">
        ${conns.map((c) => {
          const since = isoMs(c.since);
          return html`<li data-testid="mqtt-connection" data-broker=${c.broker}>
            ${
              c.connected
                ? html`<span class="tag tag-active" data-testid="mqtt-state">${icon("check")}Connected</span>`
                : html`<span class="tag tag-warn" data-testid="mqtt-state">${icon("alert")}Not connected</span>`
            }
            <strong>${c.broker}</strong> <span class="muted small">MQTT ${c.version}</span>
            <p class="small muted">
              Used by ${c.users.join(", ")}${
                c.connected && Number.isFinite(since) && this.now > 0
                  ? html` · up for ${fmtDuration(this.now - since)}`
                  : nothing
              }
            </p>
            ${c.lastError !== null ? html`<p class="small" data-testid="mqtt-error">Last error: ${c.lastError}</p>` : nothing}
          </li>`;
        })}
      </ul>
    </section>`;
  }
}
customElements.define("twc-mqtt-connections", MqttConnections);
