import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CHARGER_SENSORS,
  chargerControlDiscovery,
  chargerDiscovery,
  controllerDiscovery,
  isStaleConfig,
  sensorName,
  type DiscoveryOptions,
} from "./discovery.ts";

const O: DiscoveryOptions = {
  topicPrefix: "TWC",
  discoveryPrefix: "homeassistant",
  deviceNamePrefix: "TWC",
  version: "1.2.3",
  configurationUrl: "http://twc.local:8080/",
  controls: true,
  wiringMaxAmpsAllTWCs: 32,
};

type Doc = Record<string, unknown>;
const parse = (s: string | undefined): Doc => JSON.parse(s ?? "null") as Doc;

test("config.md §5.3 example: amps_in_use of slave 4142, plus via_device and configuration_url", () => {
  const docs = chargerDiscovery("4142", O);
  assert.equal(docs.size, 13);
  const doc = parse(docs.get("homeassistant/sensor/TWC_4142/4142_amps_in_use/config"));
  assert.deepEqual(doc, {
    name: "Amps in use",
    unique_id: "twcmanager_TWC_4142_amps_in_use",
    state_topic: "TWC/4142/ampsInUse",
    availability_topic: "TWC/availability",
    device: {
      identifiers: ["twcmanager_TWC_4142"],
      manufacturer: "Open Source",
      model: "TWCManager",
      name: "TWC 4142",
      via_device: "twcmanager_TWC_controller",
      configuration_url: "http://twc.local:8080/",
    },
    unit_of_measurement: "A",
    device_class: "current",
    state_class: "measurement",
  });
  const vin = parse(docs.get("homeassistant/sensor/TWC_4142/4142_current_vehicle_vin/config"));
  assert.equal(vin.name, "Current vehicle vin");
  assert.ok(!("unit_of_measurement" in vin) && !("device_class" in vin) && !("state_class" in vin));
  assert.equal(sensorName("lifetime_kwh"), "Lifetime kwh");
});

// Home Assistant's documented combinations (docs/home-assistant.md): a wrong one makes HA reject the entity.
const SENSOR_UNITS: Record<string, string[]> = {
  current: ["A", "mA"],
  voltage: ["V", "mV", "µV", "kV", "MV"],
  power: ["mW", "W", "kW", "MW", "GW", "TW"],
  energy: ["Wh", "kWh", "MWh", "mWh"],
};
const SENSOR_STATE_CLASSES: Record<string, string[]> = {
  current: ["measurement"],
  voltage: ["measurement"],
  power: ["measurement"],
  energy: ["total", "total_increasing"],
};
const NUMBER_UNITS: Record<string, string[]> = {
  current: ["A", "mA"],
  duration: ["d", "h", "min", "s", "ms"],
};

test("every entity's device_class, unit and state_class is one Home Assistant accepts for its platform", () => {
  const all = new Map([...controllerDiscovery(O), ...chargerDiscovery("4142", O)]);
  const platforms = new Set<string>();
  for (const [topic, payload] of all) {
    const platform = topic.split("/")[1]!;
    platforms.add(platform);
    const d = parse(payload);
    assert.match(
      topic,
      /^homeassistant\/(sensor|number|button|select)\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\/config$/,
    );
    assert.equal(d.availability_topic, "TWC/availability");
    assert.equal(typeof d.unique_id, "string");
    const dc = d.device_class as string | undefined;
    if (platform === "sensor") {
      if (dc === undefined) assert.ok(!("unit_of_measurement" in d) && !("state_class" in d), topic);
      else {
        assert.ok(
          SENSOR_UNITS[dc]?.includes(String(d.unit_of_measurement)),
          `${topic}: ${dc} ${String(d.unit_of_measurement)}`,
        );
        assert.ok(
          SENSOR_STATE_CLASSES[dc]?.includes(String(d.state_class)),
          `${topic}: ${dc} ${String(d.state_class)}`,
        );
      }
    } else if (platform === "number") {
      assert.ok(dc !== undefined && NUMBER_UNITS[dc]?.includes(String(d.unit_of_measurement)), topic);
      assert.ok(!("state_class" in d));
      assert.ok(
        typeof d.min === "number" && typeof d.max === "number" && typeof d.command_topic === "string",
      );
    } else {
      assert.equal(dc, undefined, `${topic}: buttons and selects get no device class here`);
      assert.equal(typeof d.command_topic, "string");
    }
  }
  assert.deepEqual([...platforms].sort(), ["button", "number", "select", "sensor"]);
  const lifetime = parse(all.get("homeassistant/sensor/TWC_4142/4142_lifetime_kwh/config"));
  assert.deepEqual(
    [lifetime.device_class, lifetime.unit_of_measurement, lifetime.state_class],
    ["energy", "kWh", "total_increasing"],
  );
  assert.equal(CHARGER_SENSORS.length, 13);
});

test("controller device: all/config sensors, sw_version, configuration_url, the controls and the policy attributes", () => {
  const docs = controllerDiscovery(O);
  const policy = parse(docs.get("homeassistant/sensor/TWC_all/all_current_policy/config"));
  assert.equal(policy.unique_id, "twcmanager_TWC_all_current_policy");
  assert.equal(policy.json_attributes_topic, "TWC/all/policyDetails");
  assert.deepEqual(policy.device, {
    identifiers: ["twcmanager_TWC_controller"],
    manufacturer: "Open Source",
    model: "TWCManager",
    name: "TWC Controller",
    sw_version: "1.2.3",
    configuration_url: "http://twc.local:8080/",
  });
  assert.equal(
    parse(docs.get("homeassistant/sensor/TWC_config/config_min_amps_per_twc/config")).state_topic,
    "TWC/config/minAmpsPerTWC",
  );
  const amps = parse(docs.get("homeassistant/number/TWC_controller/controller_charge_now_amps/config"));
  assert.deepEqual(
    [amps.min, amps.max, amps.step, amps.command_topic, amps.state_topic],
    [1, 32, 1, "TWC/ha/chargeNowAmps/set", "TWC/ha/chargeNowAmps"],
  );
  const sel = parse(docs.get("homeassistant/select/TWC_controller/controller_non_scheduled_action/config"));
  assert.deepEqual(sel.options, ["Charge at non-scheduled amps", "Do not charge", "Track green energy"]);
  assert.equal(
    parse(docs.get("homeassistant/button/TWC_controller/controller_stop_charging/config")).command_topic,
    "TWC/ha/stopCharging/set",
  );
  assert.equal(controllerDiscovery({ ...O, controls: false }).size, 4);
  assert.ok(
    !(
      "configuration_url" in
      (parse(
        controllerDiscovery({ ...O, configurationUrl: null }).get(
          "homeassistant/sensor/TWC_all/all_current_policy/config",
        ),
      ).device as Doc)
    ),
  );
});

test("slashes and other characters in the prefix become _ in discovery topics", () => {
  const docs = chargerDiscovery("4142", { ...O, topicPrefix: "home/twc" });
  assert.ok(docs.has("homeassistant/sensor/home_twc_4142/4142_state/config"));
  assert.equal(
    parse(docs.get("homeassistant/sensor/home_twc_4142/4142_state/config")).state_topic,
    "home/twc/4142/state",
  );
});

test("stale configs: ours and unwanted only; with discovery on, charger entities are kept", () => {
  const ours = JSON.stringify({ unique_id: "twcmanager_TWC_controller_stop_charging" });
  const t = "homeassistant/button/TWC_controller/controller_stop_charging/config";
  assert.equal(isStaleConfig(t, ours, new Set(), O, true), true);
  assert.equal(isStaleConfig(t, ours, new Set([t]), O, true), false);
  assert.equal(isStaleConfig(t, "", new Set(), O, false), false);
  const charger = "homeassistant/sensor/TWC_4142/4142_state/config";
  const cdoc = JSON.stringify({ unique_id: "twcmanager_TWC_4142_state" });
  assert.equal(isStaleConfig(charger, cdoc, new Set(), O, true), false);
  assert.equal(isStaleConfig(charger, cdoc, new Set(), O, false), true);
  assert.equal(
    isStaleConfig(
      "homeassistant/sensor/TWC_4142/x/config",
      JSON.stringify({ unique_id: "someone_else" }),
      new Set(),
      O,
      false,
    ),
    false,
  );
  assert.equal(isStaleConfig("homeassistant/sensor/Other_4142/x/config", cdoc, new Set(), O, false), false);
  assert.equal(isStaleConfig(charger, "not json", new Set(), O, false), false);
});

test("a charger's start/stop buttons: on its device, commands on <prefix>/ha/<TWCID>/…/set, none without controls", () => {
  const docs = chargerControlDiscovery("4142", O);
  assert.deepEqual([...docs.keys()], [
    "homeassistant/button/TWC_4142/4142_start_charging/config",
    "homeassistant/button/TWC_4142/4142_stop_charging/config",
  ]);
  const stop = parse(docs.get("homeassistant/button/TWC_4142/4142_stop_charging/config"));
  assert.deepEqual(stop, {
    name: "Stop charging",
    unique_id: "twcmanager_TWC_4142_stop_charging",
    command_topic: "TWC/ha/4142/stopCharging/set",
    availability_topic: "TWC/availability",
    device: {
      identifiers: ["twcmanager_TWC_4142"],
      manufacturer: "Open Source",
      model: "TWCManager",
      name: "TWC 4142",
      via_device: "twcmanager_TWC_controller",
      configuration_url: "http://twc.local:8080/",
    },
    payload_press: "PRESS",
  });
  assert.ok(!("device_class" in stop), "no button device class fits");
  assert.equal(chargerControlDiscovery("4142", { ...O, controls: false }).size, 0);
  // With discovery on, a charger's buttons left on the broker are cleared once the controls are off.
  const t = "homeassistant/button/TWC_4142/4142_stop_charging/config";
  const doc = JSON.stringify({ unique_id: "twcmanager_TWC_4142_stop_charging" });
  assert.equal(isStaleConfig(t, doc, new Set(), O, true), false, "controls on: kept for a charger not linked yet");
  assert.equal(isStaleConfig(t, doc, new Set(), { ...O, controls: false }, true), true);
});
