/** The legacy `/api/*` endpoints (http-api.md §6, §7), registered on the fastify app. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { validateSettingValue, checkSettingName, PROTECTED_SETTING_KEYS, SETTING_SPEC_BY_KEY } from "../../config/settings-schema.ts";
import type { Commands } from "../../engine/commands.ts";
import { toHex } from "../../protocol/codec.ts";
import { redactSecrets } from "./config.ts";
import { isTwcError } from "../../shared/errors.ts";
import { isLoopbackAddress } from "../security/listeners.ts";
import { STATUS_BY_CODE } from "../errors.ts";
import { parseJsonBody } from "../body.ts";
import { memoLast } from "../memo.ts";
import { sendError, sendJson } from "../reply.ts";
import { OrderedObject, orderedStringify } from "../../shared/ordered-json.ts";
import { systemClock } from "../../shared/clock.ts";
import { renderConfig, renderPolicies } from "./config.ts";
import { legacyHistory, type LegacyHistoryEntry } from "./history.ts";
import { sendTeslaApiCommand } from "./tesla-command.ts";
import {
  checkAddOffset,
  checkChargeNow,
  checkDebugCommand,
  checkDeleteOffset,
  checkLatLon,
  checkSchedule,
  checkSetLegacyOffset,
  checkSetPolicy,
  isDangerousPayload,
  type Checked,
} from "./validate.ts";

/** Read-only legacy views the HTTP layer renders (fed from the state stream). */
export interface LegacyViews {
  /** The getStatus document. */
  status(): Record<string, unknown>;
  /** The getSlaveTWCs body (already serialised, ordered). */
  slaveTWCs(): string;
  /** The installation identifier (decimal string). */
  uuid(): string;
  /** The getPolicy list. */
  policy(): Record<string, unknown>[];
  /** The getActivePolicyAction scalar. */
  activePolicyAction(): 1 | 2 | 3 | null;
  /** Settings (for custom-key counting and /api/v2/settings). */
  settings(): Readonly<Record<string, unknown>>;
  /** The named consumption offsets in insertion order (http-api.md §6.6). */
  consumptionOffsets(): readonly (readonly [string, { value: number; unit: string }])[];
  /** config.wiringMaxAmpsAllTWCs. */
  wiringMaxAmpsAllTWCs: number;
  /** config.minAmpsPerTWC: the lowest charging rate a user may set (shared/amps-rules.ts; absent: 1, TWCManager's rule). */
  minAmpsPerTWC?: number;
  /** config.json as loaded, before redaction (getConfig; absent: `{}`). */
  config?(): Readonly<Record<string, unknown>>;
  /** The getHistory entries (legacy/history.ts; absent: every bucket 0). */
  history?(): LegacyHistoryEntry[];
}

const TEXT_TYPE = "text/plain; charset=utf-8";
const MAX_CUSTOM_SETTINGS = 128;

function body(request: FastifyRequest): ReturnType<typeof parseJsonBody> {
  const raw = request.body;
  return parseJsonBody(raw instanceof Uint8Array || typeof raw === "string" ? raw : undefined);
}

/** Runs a command; a TwcError becomes its mapped status with its message. */
function run(reply: FastifyReply, fn: () => void): FastifyReply | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (isTwcError(err)) {
      const status = STATUS_BY_CODE[err.code];
      if (status !== undefined) return sendError(reply, status, err.code === "CONTROLLER_TX_QUEUE_FULL" ? "Bus transmit queue is full" : err.message);
    }
    throw err;
  }
}

/** Text of a failed save: `Failed to save settings: <errno or code>` (http-api.md §7.8). */
function saveFailure(err: unknown): string {
  return `Failed to save settings: ${isTwcError(err) ? String((err.context as { errno?: string } | undefined)?.errno ?? err.code) : "EIO"}`;
}

/**
 * Answers a settings change only once it is on disk (docs/decisions.md "Save before answering"): a 2xx
 * means saved. A failed save answers 500; the change stays in effect and saving is retried.
 */
async function afterSave(reply: FastifyReply, commands: Commands, answer: () => FastifyReply): Promise<FastifyReply> {
  try {
    await commands.saved();
  } catch (err) {
    return sendError(reply, 500, `${saveFailure(err)} (the change is in effect but not on disk; saving is retried)`);
  }
  return answer();
}

/** How the legacy routes judge privileged changes. */
export interface LegacyRouteOptions {
  /** Authentication is configured, so every POST that reaches a handler is authenticated (http-api.md §3.1). */
  authEnabled: boolean;
}

/** The message of a refused privileged change (docs/decisions.md "Who may enable debug commands"). */
export const DEBUG_ENABLE_REFUSED =
  "enableDebugCommands can only be turned on by an authenticated request (configure control.HTTP.auth) or, without authentication, from this machine (127.0.0.1 or ::1)";

/**
 * Enabling debug commands lets a client put raw frames on the bus, so it is privileged: allowed for
 * authenticated requests, or from loopback when authentication is off. Turning it off is always allowed.
 */
export function mayEnableDebugCommands(request: Pick<FastifyRequest, "ip">, options: LegacyRouteOptions): boolean {
  return options.authEnabled || isLoopbackAddress(request.ip);
}

/** Registers every legacy route. */
export function registerLegacyRoutes(app: FastifyInstance, views: LegacyViews, commands: Commands, options: LegacyRouteOptions = { authEnabled: false }): void {
  const W = views.wiringMaxAmpsAllTWCs;
  const withBody = <T>(
    path: string,
    check: (b: Record<string, unknown>) => Checked<T>,
    act: (v: T, reply: FastifyReply, request: FastifyRequest) => FastifyReply | Promise<FastifyReply>,
  ): void => {
    app.post(path, async (request, reply) => {
      const b = body(request);
      if (!b.ok) return sendError(reply, 400, b.message);
      const c = check(b.value);
      if (!c.ok) return sendError(reply, c.status, c.message);
      return act(c.value, reply, request);
    });
  };

  const statusJson = memoLast((doc: Record<string, unknown>) => JSON.stringify(doc)); // views.status() is memoised
  app.get("/api/getStatus", async (_q, reply) => sendJson(reply, 200, statusJson(views.status())));
  app.get("/api/getSlaveTWCs", async (_q, reply) => sendJson(reply, 200, views.slaveTWCs()));
  app.get("/api/getUUID", async (_q, reply) => reply.type(TEXT_TYPE).send(views.uuid()));
  app.get("/api/getPolicy", async (_q, reply) => sendJson(reply, 200, renderPolicies(views.policy())));
  app.get("/api/getConfig", async (_q, reply) => sendJson(reply, 200, renderConfig(views.config?.() ?? {})));
  app.get("/api/getHistory", async (_q, reply) => sendJson(reply, 200, views.history?.() ?? legacyHistory(null, systemClock.now())));
  app.get("/api/getActivePolicyAction", async (_q, reply) => sendJson(reply, 200, JSON.stringify(views.activePolicyAction())));
  app.get("/api/getConsumptionOffsets", async (_q, reply) => {
    const entries = views.consumptionOffsets().map(([k, v]) => [k, { value: v.value, unit: v.unit }] as const);
    return sendJson(reply, 200, orderedStringify(new OrderedObject(entries)));
  });
  // Our extension for the web UI: the typed settings (secrets and upstream vehicle tokens left out).
  app.get("/api/v2/settings", async (_q, reply) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(views.settings())) {
      if (k.startsWith("carApi") || k === "history") continue;
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const redacted = redactSecrets(out) as Record<string, unknown>;
    if (Object.hasOwn(redacted, "consumptionOffset")) redacted.consumptionOffset = new OrderedObject(views.consumptionOffsets());
    return sendJson(reply, 200, orderedStringify({ settings: redacted }));
  });
  app.get("/api/getLastTWCResponse", async (_q, reply) => {
    const r = commands.lastTwcResponse();
    return reply.type(TEXT_TYPE).send(r ? toHex(r) : "");
  });

  withBody("/api/chargeNow", (b) => checkChargeNow(b, W, views.minAmpsPerTWC), (v, reply) => {
    commands.chargeNow(v.rate, v.duration);
    return afterSave(reply, commands, () => sendJson(reply, 200, { status: "success", rate: v.rate, duration: v.duration }));
  });
  app.post("/api/cancelChargeNow", async (_q, reply) => {
    commands.cancelChargeNow();
    return afterSave(reply, commands, () => sendJson(reply, 200, { status: "success" }));
  });
  app.post("/api/sendStartCommand", async (_q, reply) => run(reply, () => commands.sendStartCommand()) ?? reply.code(204).send());
  app.post("/api/sendStopCommand", async (_q, reply) => run(reply, () => commands.sendStopCommand()) ?? reply.code(204).send());
  withBody("/api/addConsumptionOffset", (b) => checkAddOffset(b, commands.offsetNames()), (v, reply) => {
    commands.addOffset(v.name, v.value, v.unit);
    return afterSave(reply, commands, () => sendJson(reply, 200, { status: "success", offsetName: v.name, offsetValue: v.value, offsetUnit: v.unit }));
  });
  withBody("/api/deleteConsumptionOffset", (b) => checkDeleteOffset(b, commands.offsetNames()), (name, reply) => {
    commands.deleteOffset(name);
    return afterSave(reply, commands, () => sendJson(reply, 200, { status: "success", offsetName: name }));
  });
  withBody("/api/setConsumptionOffset", checkSetLegacyOffset, (amps, reply) => {
    commands.setLegacyOffset(amps);
    return afterSave(reply, commands, () => reply.code(204).send());
  });
  app.post("/api/saveSettings", async (_q, reply) => {
    try {
      await commands.saveSettings();
    } catch (err) {
      return sendError(reply, 500, saveFailure(err));
    }
    return reply.code(204).send();
  });
  withBody("/api/setSetting", (b) => checkSetting(b, views, W), (v, reply, request) => {
    if (v.key === "enableDebugCommands" && v.value === true && !mayEnableDebugCommands(request, options)) return sendError(reply, 403, DEBUG_ENABLE_REFUSED);
    commands.setSetting(v.key, v.value);
    return afterSave(reply, commands, () => reply.code(204).send());
  });
  withBody("/api/setScheduledChargingSettings", (b) => checkSchedule(b, W, views.minAmpsPerTWC), (v, reply) => {
    commands.setSchedule({ ...v });
    return afterSave(reply, commands, () => reply.code(202).send());
  });
  withBody("/api/setLatLon", checkLatLon, (v, reply) => {
    commands.setLatLon(v.lat, v.lon);
    return afterSave(reply, commands, () => reply.code(204).send());
  });
  withBody("/api/setPolicy", (b) => checkSetPolicy(b, (n) => commands.policyExists(n)), (name, reply) => {
    commands.setPolicy(name);
    return sendJson(reply, 200, { status: "success", policy: name });
  });
  withBody("/api/sendDebugCommand", checkDebugCommand, (cmd, reply) => {
    if (!commands.debugEnabled()) return sendError(reply, 403, "Debug commands are disabled (settings.enableDebugCommands)");
    if (cmd.name === "Custom" && isDangerousPayload(cmd.payload)) return sendError(reply, 403, "Command refused: it may disable or crash the TWC");
    return run(reply, () => commands.sendDebug(cmd)) ?? reply.code(204).send();
  });
  app.post("/api/checkArrival", async (_q, reply) => {
    commands.checkVehicles("arrival");
    return reply.code(202).send();
  });
  app.post("/api/checkDeparture", async (_q, reply) => {
    commands.checkVehicles("departure");
    return reply.code(202).send();
  });
  app.post("/api/sendTeslaAPICommand", async (request, reply) => sendTeslaApiCommand(request, reply, commands, W));
}

/** setSetting checks in the order of http-api.md §7.9. */
function checkSetting(b: Record<string, unknown>, views: LegacyViews, W: number): Checked<{ key: string; value: unknown }> {
  const fail = (message: string): Checked<never> => ({ ok: false, status: 400, message });
  const key = b.setting;
  if (key === undefined || key === null) return fail("setting is required");
  if (typeof key !== "string") return fail("setting must be a string");
  const nameError = checkSettingName(key);
  if (nameError !== null) return fail(nameError);
  if (PROTECTED_SETTING_KEYS.includes(key)) return fail(`setting '${key}' cannot be changed with setSetting`);
  if (!Object.hasOwn(b, "value")) return fail("value is required");
  if (b.value === null) return fail("value must not be null");
  const v = validateSettingValue(key, b.value, W);
  if (!v.ok) return fail(v.message);
  if (!SETTING_SPEC_BY_KEY.has(key)) {
    const settings = views.settings();
    if (!Object.hasOwn(settings, key)) {
      const custom = Object.keys(settings).filter((k) => !SETTING_SPEC_BY_KEY.has(k) && !PROTECTED_SETTING_KEYS.includes(k) && !KNOWN_UNTYPED.has(k));
      if (custom.length >= MAX_CUSTOM_SETTINGS) return fail(`Too many custom settings (maximum ${MAX_CUSTOM_SETTINGS})`);
    }
  }
  return { ok: true, value: { key, value: v.value } };
}

const KNOWN_UNTYPED = new Set(["respondToSlavesExpiry", "consumptionOffset", "VehicleGroups", "Vehicles", "SlaveTWCs", "installationNodeId", "history"]);
