/**
 * Home Assistant car discovery (vehicles.md §6.2): which registry devices are Tesla cars, their VIN,
 * name and slug, and the `tesla_fleet` entities of each role. Pure.
 */

/** A device of `config/device_registry/list` (the keys read). */
export interface HassDevice {
  id: string;
  manufacturer?: string | null;
  default_manufacturer?: string | null;
  model?: string | null;
  default_model?: string | null;
  serial_number?: string | null;
  identifiers?: readonly (readonly unknown[])[] | null;
  name_by_user?: string | null;
  name?: string | null;
  default_name?: string | null;
}

/** An entity of `config/entity_registry/list` (the keys read). */
export interface HassEntityEntry {
  entity_id: string;
  device_id?: string | null;
  platform?: string | null;
}

/** The entities of one car (§6.2 table); the optional ones are null when absent. */
export interface HassCarEntities {
  soc: string;
  charging: string | null;
  location: string | null;
  chargeSwitch: string;
  chargeCurrent: string | null;
  chargeLimit: string | null;
}

/** One discovered car. */
export interface HassCarDef {
  vin: string;
  name: string;
  slug: string;
  entities: HassCarEntities;
}

const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const MODELS = new Set(["model s", "model 3", "model x", "model y", "cybertruck"]);

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

/** The slug of a name: lower case, each run of other than a–z0–9 → `_`, outer `_` stripped. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** The VIN of a Tesla car device, null when the device is not one (§6.2 rules). */
export function carVin(d: HassDevice): string | null {
  const maker = text(d.manufacturer) || text(d.default_manufacturer);
  if (!maker.toLowerCase().includes("tesla")) return null;
  const model = text(d.model) || text(d.default_model);
  if (model !== "" && !MODELS.has(model.toLowerCase())) return null;
  const serial = text(d.serial_number);
  if (VIN.test(serial)) return serial;
  for (const pair of d.identifiers ?? []) {
    const second = Array.isArray(pair) ? text(pair[1]) : "";
    if (VIN.test(second)) return second;
  }
  return null;
}

/** What discovery found: the cars, and why other Tesla devices were left out. */
export interface Discovery {
  cars: HassCarDef[];
  problems: string[];
}

/** §6.2 over both registry lists. */
export function discoverCars(devices: readonly HassDevice[], entities: readonly HassEntityEntry[]): Discovery {
  const cars: HassCarDef[] = [];
  const problems: string[] = [];
  for (const d of devices) {
    const vin = carVin(d);
    if (vin === null) continue;
    const name = text(d.name_by_user) || text(d.name) || text(d.default_name) || vin;
    const slug = slugOf(name);
    const own = entities.filter((e) => e.device_id === d.id && text(e.platform).includes("tesla_fleet"));
    const find = (domain: string, suffix: string): string | null =>
      own.find((e) => {
        const id = e.entity_id.toLowerCase();
        return id.startsWith(`${domain}.`) && id.endsWith(`${slug}_${suffix}`);
      })?.entity_id ?? null;
    const soc = find("sensor", "battery_level");
    const chargeSwitch = find("switch", "charge");
    if (soc === null || chargeSwitch === null) {
      problems.push(`${name} (${vin}): no ${soc === null ? `sensor.${slug}_battery_level` : `switch.${slug}_charge`} entity of the Tesla Fleet integration`);
      continue;
    }
    cars.push({
      vin,
      name,
      slug,
      entities: {
        soc,
        charging: find("sensor", "charging"),
        location: find("device_tracker", "location"),
        chargeSwitch,
        chargeCurrent: find("number", "charge_current"),
        chargeLimit: find("number", "charge_limit"),
      },
    });
  }
  return { cars, problems };
}
