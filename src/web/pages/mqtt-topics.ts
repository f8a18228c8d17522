/** The settings page's MQTT card: the topics a user can publish to (from the configured prefixes), with an example. */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { LightElement } from "../components/base.ts";
import { brokerHost, mqttTopics, publishExample } from "../mqtt-model.ts";

/** <twc-mqtt-topics .state>: nothing when neither control.MQTT nor the Home Assistant controls are on. */
export class MqttTopics extends LightElement {
  static override properties = { state: { attribute: false } };
  declare state: StateDocument | null;

  constructor() {
    super();
    this.state = null;
  }

  protected override render(): unknown {
    const s = this.state;
    if (!s) return nothing;
    const topics = mqttTopics(s.mqtt, s.chargers.map((c) => c.id), s.budget.wiringMaxAmpsAllTWCs);
    if (topics.length === 0) return nothing;
    const first = topics[0];
    return html`<section class="card mqtt-topics span-2" aria-labelledby="mqtt-topics-title" data-testid="mqtt-topics">
      <h2 id="mqtt-topics-title">MQTT topics you can publish to</h2>
      <p class="hint">
        Publish without the retain flag (retained commands are ignored). Every command goes through the same checks as the
        web interface; a refused one is logged with its reason.
      </p>
      <div class="table-wrap"><table class="table">
        <thead>
          <tr><th scope="col">Topic</th><th scope="col">Example payload</th><th scope="col">What it does</th></tr>
        </thead>
        <tbody>
          ${topics.map(
            (t) => html`<tr data-testid="mqtt-topic">
              <td><code>${t.topic}</code></td>
              <td>${t.example === "" ? html`<span class="muted">any</span>` : html`<code>${t.example}</code>`}</td>
              <td>${t.what}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      ${first ? html`<p class="small">Example:</p><pre data-testid="mqtt-example">${publishExample(first, brokerHost(s.mqtt))}</pre>` : nothing}
    </section>`;
  }
}
customElements.define("twc-mqtt-topics", MqttTopics);
