/** Consumption offsets editor (http-api.md §7.5, §7.6): list with live watts, add / edit / delete. */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { getJson, postJson } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import { confirmDialog } from "../components/confirm.ts";
import { describedBy, errorsFrom, fieldError, formStatus } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";
import { fmtSignedW } from "../format.ts";

/** One offset of GET /api/getConsumptionOffsets: the state document's entry without the live watts. */
type Offset = Omit<StateDocument["offsets"][number], "watts">;

const FIELDS = ["offsetName", "offsetValue", "offsetUnit"] as const;
/** The API's field names in this form's words. */
const LABELS = { offsetName: "Name", offsetValue: "Value", offsetUnit: "Unit" } as const;

function asOffsets(v: unknown): Offset[] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([name, o]) => {
    if (typeof o !== "object" || o === null) return [];
    const r = o as Record<string, unknown>;
    const value = typeof r.value === "number" ? r.value : Number(r.value);
    return [{ name, value, unit: r.unit === "A" ? "A" : "W" } satisfies Offset];
  });
}

/** <twc-offsets .state>. */
export class OffsetsEditor extends FormElement {
  static override properties = {
    state: { attribute: false },
    list: { state: true },
    name: { state: true },
    value: { state: true },
    unit: { state: true },
    editing: { state: true },
  };
  declare state: StateDocument | null;
  declare list: Offset[] | null;
  declare name: string;
  declare value: string;
  declare unit: "A" | "W";
  declare editing: string | null;
  private seenKey = "";

  constructor() {
    super();
    this.state = null;
    this.list = null;
    this.name = "";
    this.value = "";
    this.unit = "W";
    this.editing = null;
  }

  protected override willUpdate(): void {
    // Re-read the list whenever the offsets in the live state change (added elsewhere, e.g. over MQTT).
    const key = JSON.stringify((this.state?.offsets ?? []).map((o) => [o.name, o.value, o.unit]));
    if (key !== this.seenKey) {
      this.seenKey = key;
      void this.load();
    }
  }

  private async load(): Promise<void> {
    const r = await getJson("/api/getConsumptionOffsets");
    if (r.ok) this.list = asOffsets(r.data);
  }

  private startEdit(o: Offset): void {
    this.editing = o.name;
    this.name = o.name;
    this.value = String(o.value);
    this.unit = o.unit;
    this.errors = {};
    this.ok = null;
    void this.updateComplete.then(() => this.querySelector<HTMLInputElement>("#off-value")?.focus());
  }

  private resetForm(): void {
    this.editing = null;
    this.name = "";
    this.value = "";
    this.unit = "W";
  }

  private async submit(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    this.busy = true;
    const before = this.editing;
    const r = await postJson("/api/addConsumptionOffset", {
      offsetName: this.name,
      offsetValue: this.value.trim() === "" ? null : this.value,
      offsetUnit: this.unit,
    });
    let ok = r.ok;
    this.errors = errorsFrom(r, FIELDS, "", LABELS);
    this.authRequired = !r.ok && r.status === 401;
    if (r.ok && before !== null && before !== this.name) {
      // Renamed while editing: the new entry exists, remove the old one.
      const d = await postJson("/api/deleteConsumptionOffset", { offsetName: before });
      ok = d.ok;
      if (!d.ok) this.errors = { "": d.error };
    }
    this.busy = false;
    this.ok = ok ? (before === null ? `Offset “${this.name}” added.` : `Offset “${this.name}” saved.`) : null;
    if (ok) {
      this.resetForm();
      afterAction();
      await this.load();
    }
  }

  private async deleteOffset(o: Offset): Promise<void> {
    const yes = await confirmDialog({
      title: `Delete the offset “${o.name}”?`,
      body: html`<p>
        It stops counting ${o.value} ${o.unit} as ${o.value >= 0 ? "extra consumption" : "extra generation"}.
        Set its value to 0 instead to keep it but disable it.
      </p>`,
      confirmLabel: "Delete offset",
      danger: true,
    });
    if (!yes) return;
    const r = await postJson("/api/deleteConsumptionOffset", { offsetName: o.name });
    this.errors = errorsFrom(r, FIELDS, "", LABELS);
    this.authRequired = !r.ok && r.status === 401;
    this.ok = r.ok ? `Offset “${o.name}” deleted.` : null;
    if (r.ok) {
      if (this.editing === o.name) this.resetForm();
      afterAction();
      await this.load();
    }
  }

  protected override render(): unknown {
    const watts = new Map((this.state?.offsets ?? []).map((o) => [o.name, o.watts]));
    const list = this.list;
    const inv = (f: string): string => (this.errors[f] ? "true" : "false");
    return html`<section class="card form" aria-labelledby="off-title">
      <h2 id="off-title">Consumption offsets</h2>
      <p class="hint intro">
        Positive values count as extra consumption, negative values as extra generation (amps are converted at
        the measured voltage). 0 keeps an offset but disables it.
      </p>
      ${
        list === null
          ? html`<p class="loading" role="status">Loading…</p>`
          : list.length === 0
            ? html`<p class="muted">No offsets.</p>`
            : html`<div class="table-wrap">
                <table class="table" data-testid="offsets">
                  <caption class="sr-only">
                    Consumption offsets
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Offset</th>
                      <th scope="col" class="num">Now</th>
                      <th scope="col"><span class="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${list.map(
                      (o) =>
                        html`<tr>
                          <th scope="row">${o.name}</th>
                          <td>
                            ${o.value} ${o.unit}
                            ${o.value === 0 ? html`<span class="tag">disabled</span>` : nothing}
                          </td>
                          <td class="num" aria-live="polite">
                            ${watts.has(o.name) ? fmtSignedW(watts.get(o.name) ?? 0) : "—"}
                          </td>
                          <td class="row-actions">
                            <button
                              type="button"
                              class="btn btn-small"
                              @click=${() => this.startEdit(o)}
                              aria-label="Edit ${o.name}"
                            >
                              Edit
                            </button>
                            <button
                              type="button"
                              class="btn btn-small btn-danger-outline"
                              @click=${() => void this.deleteOffset(o)}
                              aria-label="Delete ${o.name}"
                            >
                              Delete
                            </button>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
      }
      <form class="offset-form" @submit=${(e: Event) => void this.submit(e)} novalidate>
        <h3>${this.editing === null ? "Add an offset" : `Edit “${this.editing}”`}</h3>
        <div class="form-row">
          <div class="field">
            <label for="off-name">Name</label>
            <input
              id="off-name"
              type="text"
              maxlength="31"
              autocomplete="off"
              .value=${this.name}
              aria-invalid=${inv("offsetName")}
              aria-describedby=${describedBy(this.errors, "offsetName", "off-name-error")}
              @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
            />
            ${fieldError(this.errors, "offsetName", "off-name-error")}
          </div>
          <div class="field">
            <label for="off-value">Value</label>
            <input
              id="off-value"
              type="number"
              step="any"
              inputmode="decimal"
              .value=${this.value}
              aria-invalid=${inv("offsetValue")}
              aria-describedby=${describedBy(this.errors, "offsetValue", "off-value-error")}
              @input=${(e: Event) => (this.value = (e.target as HTMLInputElement).value)}
            />
            ${fieldError(this.errors, "offsetValue", "off-value-error")}
          </div>
          <div class="field">
            <label for="off-unit">Unit</label>
            <select
              id="off-unit"
              aria-invalid=${inv("offsetUnit")}
              aria-describedby=${describedBy(this.errors, "offsetUnit", "off-unit-error")}
              @change=${(e: Event) => (this.unit = (e.target as HTMLSelectElement).value === "A" ? "A" : "W")}
            >
              <option value="W" ?selected=${this.unit === "W"}>W (watts)</option>
              <option value="A" ?selected=${this.unit === "A"}>A (amps)</option>
            </select>
            ${fieldError(this.errors, "offsetUnit", "off-unit-error")}
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>
            ${icon("check")}${this.editing === null ? "Add offset" : "Save offset"}
          </button>
          ${this.editing !== null ? html`<button type="button" class="btn" @click=${() => this.resetForm()}>Cancel editing</button>` : nothing}
        </div>
        ${formStatus(this.errors, this.ok, this.authRequired)}
      </form>
    </section>`;
  }
}
customElements.define("twc-offsets", OffsetsEditor);
