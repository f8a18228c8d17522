/**
 * What the bus runtime gets from above (issue 9 §1): the engine pushes one `BusInput` after each policy
 * evaluation and whenever settings change (`BusController.setInput`); the bus never calls back up. The
 * offer, start/stop and charging steps read only this and the static `BusControllerConfig`. Pure types.
 */
import type { Settings } from "../config/settings-schema.ts";

/** The settings snapshot the bus reads between pushes (settings.json after normalisation). */
export type BusSettings = Readonly<Settings>;

/** The decision of the last policy evaluation, and the settings it was made with. */
export interface BusInput {
  /** The budget to divide among the slaves (A); the offer uses at most `limitAmps` of it (controller.md §4). */
  readonly maxAmpsToDivide: number;
  /** limitAmpsToDivideAmongSlaves (A). */
  readonly limitAmps: number;
  /** Flex amps of the active policy (A). */
  readonly allowedFlex: number;
  /** True while the active policy tracks green energy (dampening, controller.md §6 C). */
  readonly green: boolean;
  readonly settings: BusSettings;
}
