/**
 * Schedule page (`/schedule`, http-api.md §10, §7.10): weekly charging window, flex start, green resume
 * hour. Times are the controller's (its time zone is named, issue 12 §8).
 */
import { html, nothing } from "lit";
import type { StateDocument } from "../../state/types.ts";
import { postJson, type ApiResult } from "../api.ts";
import { FormElement } from "../components/form-element.ts";
import {
  describedBy,
  errorsFrom,
  fieldError,
  formStatus,
  inWords,
  type Errors,
} from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import "../components/week-grid.ts";
import { afterAction } from "../context.ts";
import { hhmmToMinute, hourLabel, minuteToHHMM, zoneNote } from "../format.ts";
import { checkDraft, type Draft } from "../validate.ts";
import {
  DAY_KEYS,
  DAY_LONG,
  DAY_SHORT,
  describeGreen,
  describeSchedule,
  greenSegments,
  scheduleSegments,
} from "../schedule-model.ts";

const FIELDS = [
  "enabled",
  "startingMinute",
  "endingMinute",
  "amps",
  "flexStartEnabled",
  "flexBatterySize",
  ...DAY_KEYS,
] as const;
/** The API's field names in this form's words (server messages are shown in them). */
const LABELS = {
  startingMinute: "Start time",
  endingMinute: "End time",
  amps: "Charging rate",
  flexBatterySize: "Battery size",
  flexStartEnabled: "Start late",
  enabled: "Charge on a schedule",
  hourResumeTrackGreenEnergy: "Resume green tracking from",
} as const;

function draftFrom(s: StateDocument): Draft {
  const sc = s.schedule;
  return {
    enabled: sc.enabled,
    start: minuteToHHMM(sc.startMinute),
    end: minuteToHHMM(sc.endMinute),
    days: { ...sc.days },
    amps: sc.amps,
    flexEnabled: sc.flexStart.enabled,
    battery: sc.flexStart.batteryKWh,
  };
}

/** <twc-schedule .state .settings .now>. */
export class SchedulePage extends FormElement {
  static override properties = {
    state: { attribute: false },
    settings: { attribute: false },
    now: { type: Number },
    draft: { state: true },
    resumeErrors: { state: true },
    resumeOk: { state: true },
  };
  declare state: StateDocument | null;
  declare settings: Record<string, unknown>;
  declare now: number;
  declare draft: Draft | null;
  declare resumeErrors: Errors;
  declare resumeOk: string | null;
  private dirty = false;

  constructor() {
    super();
    this.state = null;
    this.settings = {};
    this.now = 0;
    this.draft = null;
    this.resumeErrors = {};
    this.resumeOk = null;
  }

  protected override willUpdate(): void {
    // Follow the server while the user has not started editing.
    if (this.state && !this.dirty) this.draft = draftFrom(this.state);
  }

  private edit(p: Partial<Draft>): void {
    if (!this.draft) return;
    this.dirty = true;
    this.ok = null;
    this.draft = { ...this.draft, ...p };
  }

  private setDays(pick: (i: number) => boolean): void {
    if (!this.draft) return;
    const days = { ...this.draft.days };
    DAY_KEYS.forEach((k, i) => (days[k] = pick(i)));
    this.edit({ days });
  }

  private async save(ev: Event): Promise<void> {
    ev.preventDefault();
    const s = this.state;
    const d = this.draft;
    if (!s || !d || this.busy) return;
    const local = checkDraft(d, s.budget.minAmpsPerTWC, s.budget.wiringMaxAmpsAllTWCs);
    if (Object.keys(local).length > 0) {
      this.errors = local;
      this.ok = null;
      return;
    }
    const r = await this.postForm(
      "/api/setScheduledChargingSettings",
      {
        enabled: d.enabled,
        startingMinute: hhmmToMinute(d.start),
        endingMinute: hhmmToMinute(d.end),
        amps: d.amps,
        ...Object.fromEntries(DAY_KEYS.map((k) => [k, d.days[k]])),
        flexStartEnabled: d.flexEnabled,
        flexBatterySize: d.battery,
      },
      FIELDS,
    );
    this.errors = inWords(this.errors, LABELS);
    // Weekday errors belong to the weekday group.
    const dayErr = DAY_KEYS.map((k) => this.errors[k]).find(Boolean);
    if (dayErr) this.errors = { days: dayErr };
    this.ok = r.ok ? (d.enabled ? "Schedule saved." : "Schedule saved (off).") : null;
    if (r.ok) {
      this.dirty = false;
      afterAction();
    }
  }

  private async saveResume(value: number): Promise<void> {
    const r: ApiResult<unknown> = await postJson("/api/setSetting", {
      setting: "hourResumeTrackGreenEnergy",
      value,
    });
    this.resumeErrors = errorsFrom(r, ["hourResumeTrackGreenEnergy"], "hourResumeTrackGreenEnergy", LABELS);
    this.resumeOk = r.ok ? "Saved." : null;
    if (r.ok) afterAction();
  }

  private field(id: string, label: string, field: string, input: unknown, hint?: string): unknown {
    return html`<div class="field">
      <label for=${id}>${label}</label>
      ${input} ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : nothing}
      ${fieldError(this.errors, field, `${id}-error`)}
    </div>`;
  }

  protected override render(): unknown {
    const s = this.state;
    const d = this.draft;
    if (!s || !d)
      return html`<h1>Schedule</h1>
        <p class="loading" role="status">Loading…</p>`;
    const min = s.budget.minAmpsPerTWC;
    const max = s.budget.wiringMaxAmpsAllTWCs;
    const preview = {
      enabled: d.enabled,
      amps: d.amps,
      startMinute: hhmmToMinute(d.start),
      endMinute: hhmmToMinute(d.end),
      days: d.days,
    };
    const inv = (f: string): string => (this.errors[f] ? "true" : "false");
    const resume = s.schedule.resumeGreenEnergyHour;
    return html`<h1>Schedule</h1>
      <div class="two-col">
        <form
          class="card form"
          @submit=${(e: Event) => void this.save(e)}
          novalidate
          aria-labelledby="sched-form-title"
        >
          <h2 id="sched-form-title">Scheduled charging</h2>
          <p class="hint" data-testid="schedule-zone">
            ${icon("clock")} ${zoneNote(s.clock).replace(/^t/, "T")}.
          </p>
          <div class="field field-inline">
            <input
              id="sc-enabled"
              type="checkbox"
              class="switch"
              .checked=${d.enabled}
              @change=${(e: Event) => this.edit({ enabled: (e.target as HTMLInputElement).checked })}
            />
            <label for="sc-enabled">Charge on a schedule</label>
            ${fieldError(this.errors, "enabled", "sc-enabled-error")}
          </div>
          <fieldset class="time-row" ?disabled=${!d.enabled}>
            <legend class="sr-only">Charging window</legend>
            ${this.field(
              "sc-start",
              "Start time",
              "startingMinute",
              html`<input
                id="sc-start"
                type="time"
                step="60"
                .value=${d.start}
                aria-invalid=${inv("startingMinute")}
                aria-describedby=${describedBy(this.errors, "startingMinute", "sc-start-error")}
                @input=${(e: Event) => this.edit({ start: (e.target as HTMLInputElement).value })}
              />`,
            )}
            ${this.field(
              "sc-end",
              "End time",
              "endingMinute",
              html`<input
                id="sc-end"
                type="time"
                step="60"
                .value=${d.end}
                aria-invalid=${inv("endingMinute")}
                aria-describedby=${describedBy(this.errors, "endingMinute", "sc-end-error", "sc-end-hint")}
                @input=${(e: Event) => this.edit({ end: (e.target as HTMLInputElement).value })}
              />`,
              "An end before the start continues into the next day.",
            )}
          </fieldset>
          <fieldset
            class="days"
            ?disabled=${!d.enabled}
            aria-describedby=${describedBy(this.errors, "days", "sc-days-error", "sc-days-hint")}
          >
            <legend>Days</legend>
            <div class="day-boxes">
              ${DAY_KEYS.map(
                (k, i) =>
                  html`<label class="day-box"
                    ><input
                      type="checkbox"
                      .checked=${d.days[k]}
                      @change=${(e: Event) => this.edit({ days: { ...d.days, [k]: (e.target as HTMLInputElement).checked } })}
                    />
                    <span aria-hidden="true">${DAY_SHORT[i]}</span
                    ><span class="sr-only">${DAY_LONG[i]}</span></label
                  >`,
              )}
            </div>
            <div class="actions small-actions">
              <button type="button" class="btn btn-small" @click=${() => this.setDays(() => true)}>
                Every day
              </button>
              <button type="button" class="btn btn-small" @click=${() => this.setDays((i) => i < 5)}>
                Weekdays
              </button>
              <button type="button" class="btn btn-small" @click=${() => this.setDays((i) => i >= 5)}>
                Weekend
              </button>
            </div>
            <p class="hint" id="sc-days-hint">An overnight window belongs to the day it starts on.</p>
            ${fieldError(this.errors, "days", "sc-days-error")}
          </fieldset>
          ${this.field(
            "sc-amps",
            "Charging rate (A)",
            "amps",
            html`<input
              id="sc-amps"
              type="number"
              inputmode="numeric"
              min="0"
              max=${max}
              step="1"
              .value=${String(d.amps)}
              aria-invalid=${inv("amps")}
              aria-describedby=${describedBy(this.errors, "amps", "sc-amps-error", "sc-amps-hint")}
              @input=${(e: Event) => this.edit({ amps: Number((e.target as HTMLInputElement).value) })}
            />`,
            `0 turns the schedule off; otherwise ${min}–${max} A shared by all chargers.`,
          )}
          <fieldset class="flex" disabled aria-describedby="sc-flex-why">
            <legend>Flex start</legend>
            <div class="field field-inline">
              <input id="sc-flex" type="checkbox" class="switch" .checked=${d.flexEnabled} />
              <label for="sc-flex">Start late so the car is full when the window ends</label>
            </div>
            ${this.field("sc-battery", "Battery size (kWh)", "flexBatterySize", html`<input id="sc-battery" type="number" .value=${String(d.battery)} />`)}
            <p class="hint" id="sc-flex-why">
              ${icon("info")} Flex start needs a vehicle module to know the car's battery level. None is
              configured, so charging starts at the start time.
            </p>
          </fieldset>
          <div class="actions">
            <button type="submit" class="btn btn-primary" ?disabled=${this.busy}>
              ${icon("check")}Save schedule
            </button>
          </div>
          ${formStatus(this.errors, this.ok, this.authRequired)}
        </form>
        <div class="col">
          <section class="card" aria-labelledby="preview-title">
            <h2 id="preview-title">Weekly preview</h2>
            <twc-week-grid
              .schedule=${scheduleSegments(preview)}
              .green=${greenSegments(s.schedule)}
              .now=${this.now}
              .timeZone=${s.clock?.timeZone}
              label="${describeSchedule(preview)} ${describeGreen(s.schedule)}"
            ></twc-week-grid>
            <p class="small" aria-live="polite" data-testid="schedule-summary">
              ${describeSchedule(preview)} ${describeGreen(s.schedule)}
            </p>
            ${this.dirty ? html`<p class="small muted">Preview of unsaved changes.</p>` : nothing}
          </section>
          <section class="card form" aria-labelledby="resume-title">
            <h2 id="resume-title">Solar tracking hours</h2>
            <div class="field">
              <label for="sc-resume">Resume green tracking from</label>
              <select
                id="sc-resume"
                aria-invalid=${this.resumeErrors.hourResumeTrackGreenEnergy ? "true" : "false"}
                aria-describedby=${describedBy(this.resumeErrors, "hourResumeTrackGreenEnergy", "sc-resume-error", "sc-resume-hint")}
                @change=${(e: Event) => void this.saveResume(Number((e.target as HTMLSelectElement).value))}
              >
                <option value="-1" ?selected=${resume < 0}>Sunrise (no extra limit)</option>
                ${Array.from({ length: 24 }, (_, h) => html`<option value=${h} ?selected=${resume === h}>${hourLabel(h)}</option>`)}
              </select>
              <p class="hint" id="sc-resume-hint">
                Green tracking runs from this hour (or sunrise, ${hourLabel(s.schedule.sunriseHour)}, if
                later) until sunset, ${hourLabel(s.schedule.sunsetHour)}.
              </p>
              ${fieldError(this.resumeErrors, "hourResumeTrackGreenEnergy", "sc-resume-error")}
              ${this.resumeOk ? html`<p class="ok-text" role="status">${icon("check")}<span>${this.resumeOk}</span></p>` : nothing}
            </div>
          </section>
        </div>
      </div>`;
  }
}
customElements.define("twc-schedule", SchedulePage);
