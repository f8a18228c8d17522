/**
 * The built-in demo (`npm start`, `twcmanager --demo`): two simulated TWCs — an 80 A protocol-2 unit
 * with a car plugged in and a 32 A protocol-1 unit with none — a simulated sunny day, HTTP on 8080,
 * settings in ./data.
 */
import { resolve } from "node:path";

/** The demo's config.json as TWCManager would read it. */
export function demoConfig(cwd = process.cwd()): Record<string, unknown> {
  return {
    config: {
      settingsPath: resolve(cwd, "data"),
      wiringMaxAmpsAllTWCs: 48,
      wiringMaxAmpsPerTWC: 32,
      minAmpsPerTWC: 6,
      defaultVoltage: 240,
      numberOfPhases: 1,
      greenEnergyFlexAmps: 0,
      fakeMaster: 1,
      logLevel: 20,
    },
    interface: {
      Dummy: {
        enabled: true,
        slaves: [
          {
            twcID: "AB",
            maxAmps: 80,
            protocolVersion: 2,
            lifetimeKWh: 1234,
            voltage: [240, 0, 0],
            vin: "5YJ3E1EA8KF000001",
            car: { behaviour: "follow", maxAmps: 48, batteryKWh: 75, socPercent: 35, chargeLimitPercent: 90 },
          },
          { twcID: "CD", maxAmps: 32, protocolVersion: 1, lifetimeKWh: 321, voltage: [240, 0, 0], car: { behaviour: "none" } },
        ],
      },
      RS485: { enabled: false },
    },
    // issue 12 §3: this machine only, unless `--listen ADDR` says otherwise.
    control: { HTTP: { enabled: true, listenPort: 8080, listenAddress: "127.0.0.1" } },
    logging: { Console: { enabled: true, simple: true } },
  };
}
