/**
 * The sensors status.HASS pushes to Home Assistant's REST API (upstream HASSStatus): one entity
 * `sensor.twcmanager_<id>_<key>` per status value of config.md §5.2, with the unit, the device and
 * state class Home Assistant expects for it and a friendly name. Pure.
 */
import type { StateDocument } from "../../state/types.ts";
import {
  ALL_SENSORS,
  CHARGER_SENSORS,
  CONFIG_SENSORS,
  sensorName,
  unitClasses,
  type SensorDef,
} from "../mqtt/discovery.ts";
import { statusValues } from "../mqtt/status-topics.ts";

/** One sensor state as POSTed to `/api/states/<entityId>`. */
export interface HassSensor {
  entityId: string;
  state: string;
  attributes: Record<string, string>;
}

/**
 * The entity id of a value. Home Assistant accepts only lower-case entity ids, so a TWCID with hex
 * letters is lower-cased (upstream sent `AB12` and Home Assistant refused it).
 */
export function entityId(id: string, snake: string): string {
  return `sensor.twcmanager_${id.toLowerCase()}_${snake}`;
}

function sensor(id: string, def: SensorDef, state: string | undefined): HassSensor | null {
  if (state === undefined) return null;
  const classes = unitClasses(def.unit);
  return {
    entityId: entityId(id, def.snake),
    state,
    attributes: {
      friendly_name: `TWC ${id} ${sensorName(def.snake)}`,
      ...(classes && def.unit !== null ? { unit_of_measurement: def.unit, ...classes } : {}),
    },
  };
}

/** Every sensor of `doc` with a known value (the same values and formatting as MQTT status). */
export function hassSensors(doc: Readonly<StateDocument>): HassSensor[] {
  const p = "p";
  const values = statusValues(doc, p);
  const out: HassSensor[] = [];
  const add = (id: string, defs: readonly SensorDef[]): void => {
    for (const def of defs) {
      const s = sensor(id, def, values.get(`${p}/${id}/${def.key}`));
      if (s) out.push(s);
    }
  };
  for (const c of doc.chargers) add(c.id, CHARGER_SENSORS);
  add("all", ALL_SENSORS);
  add("config", CONFIG_SENSORS);
  return out;
}
