/**
 * Home Assistant MQTT discovery documents (config.md §5.3, issue 10 item 3). Pure.
 *
 * Sensors keep the spec's topics and `unique_id`s (`twcmanager_<deviceNamePrefix>_<id>_<snake_key>`),
 * so existing Home Assistant entities keep their history. Beyond the spec: one device for the controller
 * (`sw_version`, `configuration_url`) that carries the `all` / `config` sensors and the controls, one
 * device per charger linked to it with `via_device`, a policy sensor with attributes, and the controls
 * (numbers, buttons, a select) whose commands come back on `<prefix>/ha/<control>/set`.
 *
 * Entity classes and units, checked against Home Assistant's documentation (developers.home-assistant.io,
 * "Sensor entity" / "Number entity" / "Button entity" / "Select entity"; docs/home-assistant.md has the
 * full table):
 *
 * | entity | device_class | unit | state_class | allowed by HA |
 * |---|---|---|---|---|
 * | sensor amps_* , total_amps_in_use, max_amps_for_slaves, min_amps_per_twc | current | A | measurement | current: A, mA; measurement allowed |
 * | sensor voltage_phase_a/b/c | voltage | V | measurement | voltage: V, mV, µV, kV, MV |
 * | sensor charger_load_w | power | W | measurement | power: mW, W, kW, MW, GW, TW, BTU/h |
 * | sensor lifetime_kwh | energy | kWh | total_increasing | energy: Wh, kWh, MWh, …; only total / total_increasing |
 * | sensor state, cars_charging, *_vin, current_policy | – | – | – | no class: any text state |
 * | number charge_now_amps, non_scheduled_amps | current | A | (numbers have none) | number current: A, mA |
 * | number charge_now_duration | duration | h | – | number duration: d, h, min, s, ms |
 * | button * (controller, and start/stop per charger) | – | – | – | button classes are identify / restart / update only: none fits, so none |
 * | select non_scheduled_action | – | – | – | selects have no device class |
 */

/** What the discovery documents depend on. */
export interface DiscoveryOptions {
  topicPrefix: string;
  discoveryPrefix: string;
  deviceNamePrefix: string;
  /** The product version (the controller device's `sw_version`). */
  version: string;
  /** The web interface, or null when there is none. */
  configurationUrl: string | null;
  /** Publish the controls too (status.MQTT.homeassistantControls). */
  controls: boolean;
  /** The largest amps a control may ask for (S-1: `wiringMaxAmpsAllTWCs`). */
  wiringMaxAmpsAllTWCs: number;
}

/** One sensor of the spec: its topic key, snake key and unit. */
export interface SensorDef {
  key: string;
  snake: string;
  unit: "A" | "V" | "W" | "kWh" | null;
}

/** The per-charger sensors of config.md §5.3. */
export const CHARGER_SENSORS: readonly SensorDef[] = [
  { key: "ampsMax", snake: "amps_max", unit: "A" },
  { key: "ampsInUse", snake: "amps_in_use", unit: "A" },
  { key: "state", snake: "state", unit: null },
  { key: "ampsOffered", snake: "amps_offered", unit: "A" },
  { key: "ampsDesired", snake: "amps_desired", unit: "A" },
  { key: "carsCharging", snake: "cars_charging", unit: null },
  { key: "chargerLoadInW", snake: "charger_load_w", unit: "W" },
  { key: "lifetimekWh", snake: "lifetime_kwh", unit: "kWh" },
  { key: "voltagePhaseA", snake: "voltage_phase_a", unit: "V" },
  { key: "voltagePhaseB", snake: "voltage_phase_b", unit: "V" },
  { key: "voltagePhaseC", snake: "voltage_phase_c", unit: "V" },
  { key: "currentVehicleVIN", snake: "current_vehicle_vin", unit: null },
  { key: "lastVehicleVIN", snake: "last_vehicle_vin", unit: null },
];

/** The `all` sensors. */
export const ALL_SENSORS: readonly SensorDef[] = [
  { key: "totalAmpsInUse", snake: "total_amps_in_use", unit: "A" },
  { key: "maxAmpsForSlaves", snake: "max_amps_for_slaves", unit: "A" },
  { key: "currentPolicy", snake: "current_policy", unit: null },
];

/** The `config` sensors. */
export const CONFIG_SENSORS: readonly SensorDef[] = [
  { key: "minAmpsPerTWC", snake: "min_amps_per_twc", unit: "A" },
];

/** The labels of the non-scheduled action select, for actions 1, 2 and 3 (controller.md §20). */
export const NON_SCHEDULED_ACTIONS = [
  "Charge at non-scheduled amps",
  "Do not charge",
  "Track green energy",
] as const;

/** The Home Assistant controls: the key of their `<prefix>/ha/<key>` topics. */
export const HA_CONTROL_KEYS = [
  "chargeNowAmps",
  "chargeNowDuration",
  "chargeNowStart",
  "chargeNowCancel",
  "nonScheduledAction",
  "nonScheduledAmpsMax",
  "startCharging",
  "stopCharging",
] as const;

/** One Home Assistant control key. */
export type HaControlKey = (typeof HA_CONTROL_KEYS)[number];

/** The state topic of a control (`<prefix>/ha/<key>`). */
export function controlStateTopic(prefix: string, key: HaControlKey): string {
  return `${prefix}/ha/${key}`;
}

/** The command topic of a control (`<prefix>/ha/<key>/set`). */
export function controlCommandTopic(prefix: string, key: HaControlKey): string {
  return `${prefix}/ha/${key}/set`;
}

/** A name part valid in a discovery topic (`[A-Za-z0-9_-]`; slashes and anything else become `_`). */
export function topicSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** "amps_in_use" → "Amps in use". */
export function sensorName(snake: string): string {
  const words = snake.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `device_class` and `state_class` of a unit (config.md §5.3). */
export function unitClasses(unit: SensorDef["unit"]): { device_class: string; state_class: string } | null {
  switch (unit) {
    case "A":
      return { device_class: "current", state_class: "measurement" };
    case "V":
      return { device_class: "voltage", state_class: "measurement" };
    case "W":
      return { device_class: "power", state_class: "measurement" };
    case "kWh":
      return { device_class: "energy", state_class: "total_increasing" };
    case null:
      return null;
  }
}

/** The identifier of the controller device. */
export function controllerIdentifier(o: Pick<DiscoveryOptions, "deviceNamePrefix">): string {
  return `twcmanager_${o.deviceNamePrefix}_controller`;
}

function controllerDevice(o: DiscoveryOptions): Record<string, unknown> {
  return {
    identifiers: [controllerIdentifier(o)],
    manufacturer: "Open Source",
    model: "TWCManager",
    name: `${o.deviceNamePrefix} Controller`,
    sw_version: o.version,
    ...(o.configurationUrl !== null ? { configuration_url: o.configurationUrl } : {}),
  };
}

function chargerDevice(id: string, o: DiscoveryOptions): Record<string, unknown> {
  return {
    identifiers: [`twcmanager_${o.deviceNamePrefix}_${id}`],
    manufacturer: "Open Source",
    model: "TWCManager",
    name: `${o.deviceNamePrefix} ${id}`,
    via_device: controllerIdentifier(o),
    ...(o.configurationUrl !== null ? { configuration_url: o.configurationUrl } : {}),
  };
}

function sensorTopic(id: string, snake: string, o: DiscoveryOptions): string {
  return `${o.discoveryPrefix}/sensor/${topicSafe(`${o.topicPrefix}_${id}`)}/${topicSafe(`${id}_${snake}`)}/config`;
}

function sensorDoc(
  id: string,
  def: SensorDef,
  device: Record<string, unknown>,
  o: DiscoveryOptions,
): Record<string, unknown> {
  const classes = unitClasses(def.unit);
  return {
    name: sensorName(def.snake),
    unique_id: `twcmanager_${o.deviceNamePrefix}_${id}_${def.snake}`,
    state_topic: `${o.topicPrefix}/${id}/${def.key}`,
    availability_topic: `${o.topicPrefix}/availability`,
    device,
    ...(classes ? { unit_of_measurement: def.unit, ...classes } : {}),
    ...(def.key === "currentPolicy" ? { json_attributes_topic: `${o.topicPrefix}/all/policyDetails` } : {}),
  };
}

/** The discovery configs of one charger (topic → JSON payload). */
export function chargerDiscovery(id: string, o: DiscoveryOptions): Map<string, string> {
  const device = chargerDevice(id, o);
  const out = new Map<string, string>();
  for (const def of CHARGER_SENSORS)
    out.set(sensorTopic(id, def.snake, o), JSON.stringify(sensorDoc(id, def, device, o)));
  return out;
}

/** The per-charger control keys (`<prefix>/ha/<TWCID>/<key>/set`). */
export const CHARGER_CONTROL_KEYS = ["startCharging", "stopCharging"] as const;

/** One per-charger control key. */
export type ChargerControlKey = (typeof CHARGER_CONTROL_KEYS)[number];

/** The command topic of a charger's control (`<prefix>/ha/<TWCID>/<key>/set`). */
export function chargerCommandTopic(prefix: string, id: string, key: ChargerControlKey): string {
  return `${prefix}/ha/${id}/${key}/set`;
}

/** The charger's start/stop buttons (topic → JSON payload); none when the controls are off. */
export function chargerControlDiscovery(id: string, o: DiscoveryOptions): Map<string, string> {
  const out = new Map<string, string>();
  if (!o.controls) return out;
  const device = chargerDevice(id, o);
  for (const [key, snake] of [
    ["startCharging", "start_charging"],
    ["stopCharging", "stop_charging"],
  ] as const) {
    const topic = `${o.discoveryPrefix}/button/${topicSafe(`${o.topicPrefix}_${id}`)}/${topicSafe(`${id}_${snake}`)}/config`;
    const doc = {
      name: sensorName(snake),
      unique_id: `twcmanager_${o.deviceNamePrefix}_${id}_${snake}`,
      command_topic: chargerCommandTopic(o.topicPrefix, id, key),
      availability_topic: `${o.topicPrefix}/availability`,
      device,
      payload_press: "PRESS",
    };
    out.set(topic, JSON.stringify(doc));
  }
  return out;
}

function controlDoc(
  component: string,
  key: HaControlKey,
  snake: string,
  extra: Record<string, unknown>,
  o: DiscoveryOptions,
): [string, string] {
  const id = "controller";
  const topic = `${o.discoveryPrefix}/${component}/${topicSafe(`${o.topicPrefix}_${id}`)}/${topicSafe(`${id}_${snake}`)}/config`;
  const doc = {
    name: sensorName(snake),
    unique_id: `twcmanager_${o.deviceNamePrefix}_${id}_${snake}`,
    command_topic: controlCommandTopic(o.topicPrefix, key),
    availability_topic: `${o.topicPrefix}/availability`,
    device: controllerDevice(o),
    ...extra,
  };
  return [topic, JSON.stringify(doc)];
}

/** The controller's discovery configs: the `all` / `config` sensors and, when enabled, the controls. */
export function controllerDiscovery(o: DiscoveryOptions): Map<string, string> {
  const device = controllerDevice(o);
  const out = new Map<string, string>();
  for (const def of ALL_SENSORS)
    out.set(sensorTopic("all", def.snake, o), JSON.stringify(sensorDoc("all", def, device, o)));
  for (const def of CONFIG_SENSORS)
    out.set(sensorTopic("config", def.snake, o), JSON.stringify(sensorDoc("config", def, device, o)));
  if (!o.controls) return out;
  const maxAmps = Math.max(1, Math.floor(o.wiringMaxAmpsAllTWCs));
  const amps = { unit_of_measurement: "A", device_class: "current", step: 1, mode: "box" };
  const entries: [string, string][] = [
    controlDoc(
      "number",
      "chargeNowAmps",
      "charge_now_amps",
      { ...amps, min: 1, max: maxAmps, state_topic: controlStateTopic(o.topicPrefix, "chargeNowAmps") },
      o,
    ),
    controlDoc(
      "number",
      "chargeNowDuration",
      "charge_now_duration",
      {
        unit_of_measurement: "h",
        device_class: "duration",
        min: 0.25,
        max: 8784,
        step: 0.25,
        mode: "box",
        state_topic: controlStateTopic(o.topicPrefix, "chargeNowDuration"),
      },
      o,
    ),
    controlDoc("button", "chargeNowStart", "charge_now_start", { payload_press: "PRESS" }, o),
    controlDoc("button", "chargeNowCancel", "charge_now_cancel", { payload_press: "PRESS" }, o),
    controlDoc(
      "select",
      "nonScheduledAction",
      "non_scheduled_action",
      {
        options: [...NON_SCHEDULED_ACTIONS],
        state_topic: controlStateTopic(o.topicPrefix, "nonScheduledAction"),
      },
      o,
    ),
    controlDoc(
      "number",
      "nonScheduledAmpsMax",
      "non_scheduled_amps",
      { ...amps, min: 0, max: maxAmps, state_topic: controlStateTopic(o.topicPrefix, "nonScheduledAmpsMax") },
      o,
    ),
    controlDoc("button", "startCharging", "start_charging", { payload_press: "PRESS" }, o),
    controlDoc("button", "stopCharging", "stop_charging", { payload_press: "PRESS" }, o),
  ];
  for (const [t, p] of entries) out.set(t, p);
  return out;
}

/** The node segment of a discovery topic (`<dp>/<component>/<node>/<object>/config`), or null. */
export function discoveryNode(topic: string, discoveryPrefix: string): string | null {
  if (!topic.startsWith(`${discoveryPrefix}/`) || !topic.endsWith("/config")) return null;
  const parts = topic.slice(discoveryPrefix.length + 1).split("/");
  return parts.length === 4 ? (parts[1] ?? null) : null;
}

/**
 * True when a retained discovery config found on the broker is ours and should be cleared: its node is
 * `<topicPrefix>_…`, its `unique_id` `twcmanager_<deviceNamePrefix>_…`, and it is not in `wanted`.
 * With discovery on, only the controller's entities are cleared this way (a charger that has not linked
 * yet keeps its entities; a charger removed during the run is cleared when it goes).
 */
export function isStaleConfig(
  topic: string,
  payload: string,
  wanted: ReadonlySet<string>,
  o: DiscoveryOptions,
  discoveryOn: boolean,
): boolean {
  if (payload === "" || wanted.has(topic)) return false;
  const node = discoveryNode(topic, o.discoveryPrefix);
  const nodePrefix = `${topicSafe(o.topicPrefix)}_`;
  if (node === null || !node.startsWith(nodePrefix)) return false;
  let uid: unknown;
  try {
    uid = (JSON.parse(payload) as { unique_id?: unknown }).unique_id;
  } catch {
    return false;
  }
  if (typeof uid !== "string" || !uid.startsWith(`twcmanager_${o.deviceNamePrefix}_`)) return false;
  // With discovery on: the controller's entities, and a charger's buttons once the controls are off.
  if (discoveryOn)
    return (
      ["controller", "all", "config"].includes(node.slice(nodePrefix.length)) ||
      (!o.controls && topic.startsWith(`${o.discoveryPrefix}/button/`))
    );
  return true;
}
