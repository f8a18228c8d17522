/**
 * A fake `tesla-control` for the tests: a small shell script written into a temporary directory that
 * records its argv (and the key file's mode and first line) and answers as the real program does —
 * success, a hang until killed (timeout), "vehicle not in range", key not paired, no Bluetooth adapter,
 * "already satisfied", a generic failure, or state JSON. The answer is chosen per command from files in
 * the directory (`mode.<command>`, else `mode`); a mode file with several lines is consumed one line
 * per invocation (the last line stays).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How the fake answers one invocation. */
export type FakeMode = "success" | "hang" | "not_in_range" | "not_paired" | "no_adapter" | "already" | "fail" | "garbage";

/** The command names the mode files use (`state charge` → `state-charge`). */
export type FakeCommand = "wake" | "charging-start" | "charging-stop" | "charging-set-amps" | "charging-set-limit" | "state-charge" | "state-location" | "add-key-request";

/** One recorded invocation. */
export interface FakeCall {
  argv: string[];
  /** The command (as in FakeCommand). */
  command: string;
  /** `stat -c %a` of the key file at the time of the call, "" when none was passed or it was missing. */
  keyMode: string;
  /** The key file's first line ("-----BEGIN PRIVATE KEY-----" …), "" when none. */
  keyHead: string;
  /** The key file path passed. */
  keyFile: string;
}

/** The fake program and its directory. */
export interface FakeTeslaControl {
  dir: string;
  /** The executable's path (for config.teslaControlPath). */
  path: string;
  /** Sets the answer for every command, or for one. Several modes: one per invocation, the last stays. */
  setMode(mode: FakeMode | FakeMode[], command?: FakeCommand): void;
  /** The JSON `state charge` / `state location` print on success. */
  setState(category: "charge" | "location", doc: unknown): void;
  /** Every invocation so far. */
  calls(): FakeCall[];
  /** How many invocations went into a hang. */
  hangs(): number;
  close(): void;
}

const SCRIPT = String.raw`#!/bin/sh
DIR="$(dirname "$0")"
for a in "$@"; do printf '%s\037' "$a" >> "$DIR/argv.log"; done
printf '\n' >> "$DIR/argv.log"
vin=""; key=""; cmd=""; next=""
for a in "$@"; do
  if [ -n "$next" ]; then
    case "$next" in vin) vin="$a";; key) key="$a";; esac
    next=""; continue
  fi
  case "$a" in
    -vin) next=vin;; -key-file) next=key;; -domain) next=skip;; -debug|-ble) ;;
    *) if [ -z "$cmd" ]; then cmd="$a"; elif [ "$cmd" = "state" ] && [ "$sub" = "" ]; then sub="$a"; elif [ "$cmd" = "add-key-request" ] && [ -z "$key" ]; then key="$a"; fi;;
  esac
done
name="$cmd"
if [ "$cmd" = "state" ]; then name="state-$sub"; fi
if [ -n "$key" ] && [ -f "$key" ]; then
  printf '%s\037%s\037%s\037%s\n' "$name" "$(stat -c %a "$key")" "$(head -n 1 "$key")" "$key" >> "$DIR/keys.log"
else
  printf '%s\037\037\037%s\n' "$name" "$key" >> "$DIR/keys.log"
fi
mf="$DIR/mode.$name"
[ -f "$mf" ] || mf="$DIR/mode"
mode=success
if [ -f "$mf" ]; then
  mode="$(head -n 1 "$mf")"
  if [ "$(wc -l < "$mf")" -gt 1 ]; then sed -i '1d' "$mf"; fi
fi
case "$mode" in
  hang)
    echo HANG >> "$DIR/hang.log"
    exec sleep 60;;
  not_in_range)
    echo "Error: failed to find BLE beacon for $vin (S1a87a5a75f3df858C): can't scan: context deadline exceeded" >&2
    exit 1;;
  not_paired)
    echo "2026/11/23 12:00:00 [debug] Starting dispatcher service..." >&2
    echo "Error: failed to execute command: vehicle rejected request: your public key has not been paired with the vehicle" >&2
    exit 1;;
  no_adapter)
    echo "Error: failed to connect to vehicle: can't init hci: no devices available: (hci0: can't down device: no such device)" >&2
    exit 1;;
  already)
    echo "Error: car could not execute command: is_charging" >&2
    exit 1;;
  fail)
    echo "Error: unexpected response from vehicle" >&2
    exit 1;;
  garbage)
    echo "this is not JSON"
    exit 0;;
esac
case "$name" in
  state-charge) cat "$DIR/state.charge.json"; exit 0;;
  state-location) cat "$DIR/state.location.json"; exit 0;;
  add-key-request)
    echo "Sent add-key request to $vin. Confirm by tapping NFC card on center console."
    exit 0;;
esac
echo "2026/11/23 12:00:00 [debug] Updated session info for DOMAIN_VEHICLE_SECURITY" >&2
exit 0
`;

/** Writes the fake into a fresh temporary directory. */
export function startFakeTeslaControl(): FakeTeslaControl {
  const dir = mkdtempSync(join(tmpdir(), "fake-tesla-control-"));
  const path = join(dir, "tesla-control");
  writeFileSync(path, SCRIPT, { mode: 0o755 });
  chmodSync(path, 0o755);
  const read = (f: string): string => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
  const fake: FakeTeslaControl = {
    dir,
    path,
    setMode(mode, command) {
      const lines = Array.isArray(mode) ? mode : [mode];
      writeFileSync(join(dir, command === undefined ? "mode" : `mode.${command}`), `${lines.join("\n")}\n`);
    },
    setState(category, doc) {
      writeFileSync(join(dir, `state.${category}.json`), JSON.stringify(doc));
    },
    calls() {
      const argv = read("argv.log").split("\n").filter((l) => l !== "");
      const keys = read("keys.log").split("\n").filter((l) => l !== "");
      return argv.map((l, i) => {
        const k = (keys[i] ?? "").split("\x1f");
        return { argv: l.split("\x1f").slice(0, -1), command: k[0] ?? "", keyMode: k[1] ?? "", keyHead: k[2] ?? "", keyFile: k[3] ?? "" };
      });
    },
    hangs() {
      return read("hang.log").split("\n").filter((l) => l === "HANG").length;
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fake.setState("charge", {
    chargeState: {
      batteryLevel: 64,
      chargeLimitSoc: 80,
      chargingState: { Charging: {} },
      chargerPilotCurrent: 16,
      chargerActualCurrent: 15,
      chargerVoltage: 231,
      chargerPhases: 1,
      scheduledChargingPending: false,
      timeToFullCharge: 1.5,
    },
  });
  fake.setState("location", { locationState: { latitude: 52.52, longitude: 13.405, heading: 90, gpsAsOf: { seconds: 1795000000 } } });
  return fake;
}
