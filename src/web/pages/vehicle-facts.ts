/** The facts of one car (vehicles.md §8.4), shared by the Vehicles page's cards and the detail page. */
import { html, nothing, type TemplateResult } from "lit";
import { fmtDateTime, fmtDuration, fmtKWh, isoMs } from "../format.ts";
import {
  atHomeText,
  chargingText,
  commandOutcome,
  commandPathText,
  commandText,
  onlineText,
  percentText,
  sourceText,
  type KnownVehicle,
  type VehicleDoc,
} from "../vehicles-model.ts";

/** "Thu 3 Dec, 08:01 (5 min ago)" in the controller's zone; "Never" for null. */
export function whenText(iso: string | null, now: number): string {
  const ms = isoMs(iso);
  if (!Number.isFinite(ms)) return "Never";
  const ago = now - ms;
  return ago >= 0 ? `${fmtDateTime(ms)} (${fmtDuration(ago)} ago)` : fmtDateTime(ms);
}

/** One fact line. */
function fact(label: string, value: TemplateResult | string, test: string): TemplateResult {
  return html`<div>
    <dt>${label}</dt>
    <dd data-fact=${test}>${value}</dd>
  </div>`;
}

/** The last command and its result, or "None yet". */
export function lastCommandText(v: VehicleDoc): TemplateResult | string {
  const c = v.lastCommand;
  if (!c) return "None yet";
  const via = c.via === null ? "" : ` · via ${sourceText(c.via)}`;
  return html`<span class=${c.ok ? "ok-text" : "field-error"}>${commandText(c)}: ${commandOutcome(c)}</span>
    <span class="muted small">${fmtDateTime(c.at)}${via}</span>`;
}

/** The live values of a car; `full` adds the detail page's extra lines. */
export function vehicleFacts(v: VehicleDoc | null, known: KnownVehicle | null, now: number, full = false): TemplateResult {
  const sessions = known
    ? fact("Charge sessions", `${String(known.chargeSessions)} · ${fmtKWh(known.totalKWh)}`, "sessions")
    : nothing;
  if (!v)
    return html`<dl class="facts">
      ${fact("Live values", "None: no vehicle module lists this car", "live")} ${sessions}
    </dl>`;
  const backoff = isoMs(v.backoffUntil);
  return html`<dl class="facts">
    ${fact("State of charge", percentText(v.batteryLevel), "soc")}
    ${fact("Charge limit", percentText(v.chargeLimit), "limit")}
    ${fact("Location", atHomeText(v.atHome), "home")}
    ${fact("Charging", chargingText(v.chargingState) + (v.scheduledChargingPending ? " · waits for its own schedule" : ""), "charging")}
    ${fact("Last seen", `${whenText(v.lastSeenAt, now)} · ${onlineText(v.onlineState)}`, "seen")}
    ${fact("Charger", v.twcId ? html`TWC <span class="mono">${v.twcId}</span>` : "Not on a charger", "twc")}
    ${fact("Command path", commandPathText(v.commandPath), "path")}
    ${fact("Last command", lastCommandText(v), "command")}
    ${
      full
        ? html`${fact("Source", sourceText(v.source) + (v.syncSource !== v.source ? ` (values from ${sourceText(v.syncSource)})` : ""), "source")}
          ${fact("Time to full", v.timeToFullChargeH === null ? "Unknown" : fmtDuration(v.timeToFullChargeH * 3_600_000), "ttf")}
          ${fact("Charge data from", whenText(v.updatedAt, now), "updated")}
          ${fact("Back-off", Number.isFinite(backoff) && backoff > now ? `No requests until ${fmtDateTime(backoff)}` : "None", "backoff")}
          ${v.stopAskingToStartCharging ? fact("Start requests", "Paused: the car said it cannot start now (cleared by a stop or a new policy)", "stop-asking") : nothing}`
        : nothing
    }
    ${sessions}
  </dl>`;
}
