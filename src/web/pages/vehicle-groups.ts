/**
 * The Vehicles page's groups (vehicles.md §8.4, §3.7): the table sorted by name, delete for custom
 * groups, and "Add group". Fires `groups-changed` after a change so the page re-reads the list.
 */
import { html, nothing } from "lit";
import { postAction } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import { confirmDialog } from "../components/confirm.ts";
import { describedBy, errorsFrom, fieldError, formStatus } from "../components/forms.ts";
import { afterAction } from "../context.ts";
import { checkGroup, VEHICLE_LABELS, type GroupView } from "../vehicles-model.ts";

const FIELDS = ["group", "description", "operation"] as const;

/** <twc-vehicle-groups .groups>. */
export class VehicleGroups extends FormElement {
  static override properties = {
    groups: { attribute: false },
    name: { state: true },
    description: { state: true },
  };
  declare groups: GroupView[];
  declare name: string;
  declare description: string;

  constructor() {
    super();
    this.groups = [];
    this.name = "";
    this.description = "";
  }

  private changed(): void {
    afterAction();
    this.dispatchEvent(new CustomEvent("groups-changed", { bubbles: true }));
  }

  private async add(ev: Event): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    this.ok = null;
    const bad = checkGroup(this.name, this.groups);
    this.errors = bad;
    if (Object.keys(bad).length > 0) return;
    const name = this.name.trim();
    this.busy = true;
    const r = await postAction("/vehicle/group", { operation: "add", group: name, description: this.description.trim() });
    this.busy = false;
    // A refusal of the add form is about the name (taken meanwhile, too long…) unless it names another field.
    this.errors = errorsFrom(r, FIELDS, r.ok || r.status === 401 ? "" : "group", VEHICLE_LABELS);
    this.authRequired = !r.ok && r.status === 401;
    if (!r.ok) return;
    this.ok = `Group “${name}” added. Add cars to it on their pages.`;
    this.name = "";
    this.description = "";
    this.changed();
  }

  private async deleteGroup(g: GroupView): Promise<void> {
    const yes = await confirmDialog({
      title: `Delete the group “${g.name}”?`,
      body: html`<p>${g.members.length === 0 ? "It has no cars." : `Its ${String(g.members.length)} car(s) stay known; only the group goes.`} Custom groups do not change who may charge.</p>`,
      confirmLabel: "Delete group",
      danger: true,
    });
    if (!yes) return;
    const r = await postAction(`/vehicles/deleteGroup/${encodeURIComponent(g.name)}`, {});
    this.errors = errorsFrom(r, FIELDS, "", VEHICLE_LABELS);
    this.authRequired = !r.ok && r.status === 401;
    this.ok = r.ok ? `Group “${g.name}” deleted.` : null;
    if (r.ok) this.changed();
  }

  protected override render(): unknown {
    const groups = [...this.groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const inv = (f: string): string => (this.errors[f] ? "true" : "false");
    return html`<section class="card form" aria-labelledby="grp-title">
      <h2 id="grp-title">Groups</h2>
      <p class="hint intro">
        Charge authorisation uses the built-in groups only: cars in “Deny Charging” never charge; in mode 2 only
        cars in “Allow Charging” do. Change a car's groups on its page.
      </p>
      <div class="table-wrap">
        <table class="table" data-testid="vehicle-groups">
          <caption class="sr-only">Vehicle groups</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Cars</th>
              <th scope="col">Description</th>
              <th scope="col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${groups.map(
              (g) =>
                html`<tr data-group=${g.name}>
                  <th scope="row">${g.name}${g.builtIn ? html` <span class="tag">built-in</span>` : nothing}</th>
                  <td>
                    ${
                      g.members.length === 0
                        ? html`<span class="muted">none</span>`
                        : g.members.map((vin, i) => html`${i > 0 ? ", " : ""}<a class="mono" href="/vehicleDetail/${vin}">${vin}</a>`)
                    }
                  </td>
                  <td>${g.description}</td>
                  <td class="row-actions">
                    ${
                      g.builtIn
                        ? nothing
                        : html`<button type="button" class="btn btn-small btn-danger-outline" aria-label="Delete group ${g.name}" @click=${() => void this.deleteGroup(g)}>Delete</button>`
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <form novalidate @submit=${(e: Event) => void this.add(e)} aria-labelledby="grp-add-title">
        <h3 id="grp-add-title">Add a group</h3>
        <div class="form-row">
          <div class="field">
            <label for="grp-name">Group name</label>
            <input
              id="grp-name"
              type="text"
              maxlength="64"
              autocomplete="off"
              .value=${this.name}
              aria-invalid=${inv("group")}
              aria-describedby=${describedBy(this.errors, "group", "grp-name-error")}
              @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
            />
            ${fieldError(this.errors, "group", "grp-name-error")}
          </div>
          <div class="field">
            <label for="grp-desc">Description</label>
            <input
              id="grp-desc"
              type="text"
              autocomplete="off"
              .value=${this.description}
              aria-invalid=${inv("description")}
              aria-describedby=${describedBy(this.errors, "description", "grp-desc-error")}
              @input=${(e: Event) => (this.description = (e.target as HTMLInputElement).value)}
            />
            ${fieldError(this.errors, "description", "grp-desc-error")}
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>Add group</button>
        </div>
        ${formStatus(this.errors, this.ok, this.authRequired)}
      </form>
    </section>`;
  }
}
customElements.define("twc-vehicle-groups", VehicleGroups);
