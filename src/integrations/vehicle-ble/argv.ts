/**
 * The argv of every `tesla-control` invocation (vehicles.md §4.3). Pure. In a container the separate
 * arguments `nsenter --net=/rootns/net` come first (upstream passed them as one argument, V-11).
 */

/** One thing asked of tesla-control. */
export type BleOperation =
  | { op: "wake" }
  | { op: "charging-start" }
  | { op: "charging-stop" }
  | { op: "charging-set-amps"; amps: number }
  | { op: "charging-set-limit"; percent: number }
  | { op: "state"; category: "charge" | "location" }
  | { op: "pair" };

/** A program and its arguments. */
export interface Invocation {
  file: string;
  args: string[];
}

/** A short name of the operation for logs and results. */
export function operationName(o: BleOperation): string {
  switch (o.op) {
    case "charging-set-amps":
      return `charging-set-amps ${String(o.amps)}`;
    case "charging-set-limit":
      return `charging-set-limit ${String(o.percent)}`;
    case "state":
      return `state ${o.category}`;
    case "pair":
      return "add-key-request";
    case "wake":
    case "charging-start":
    case "charging-stop":
      return o.op;
  }
}

/** The argv of `o` for `vin` with the key file `keyFile` (pairing: the public key file). */
export function bleArgv(binary: string, vin: string, keyFile: string, o: BleOperation, inContainer: boolean): Invocation {
  let args: string[];
  switch (o.op) {
    case "state":
      args = ["-ble", "-vin", vin, "-key-file", keyFile, "state", o.category];
      break;
    case "pair":
      args = ["-debug", "-ble", "-vin", vin, "add-key-request", keyFile, "owner", "cloud_key"];
      break;
    case "wake":
      // Decision (§4.3): -domain vcsec, as the tesla-control README advises for a sleeping car.
      args = ["-debug", "-ble", "-vin", vin, "-key-file", keyFile, "-domain", "vcsec", "wake"];
      break;
    case "charging-set-amps":
      args = ["-debug", "-ble", "-vin", vin, "-key-file", keyFile, "charging-set-amps", String(o.amps)];
      break;
    case "charging-set-limit":
      args = ["-debug", "-ble", "-vin", vin, "-key-file", keyFile, "charging-set-limit", String(o.percent)];
      break;
    case "charging-start":
    case "charging-stop":
      args = ["-debug", "-ble", "-vin", vin, "-key-file", keyFile, o.op];
      break;
  }
  return inContainer ? { file: "nsenter", args: ["--net=/rootns/net", binary, ...args] } : { file: binary, args };
}
