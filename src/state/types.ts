/**
 * The typed state document (http-api.md §8.1), shared by REST v2, SSE, MQTT, metrics, the legacy
 * renderers and the web UI (type-only import). It holds no clocks, so it changes only when something
 * happens. The document types are derived from their TypeBox schemas (state/schema.ts,
 * state/schema-history.ts), which are the one source of the shape: change the schema, not these lines.
 */
import type { Static } from "typebox";
import type { HistoryDocPointSchema, HistoryDocSchema, SessionDocSchema } from "./schema-history.ts";
import type { TeslaAccountDocSchema, VehicleCommandDocSchema, VehicleDocSchema, VehicleGroupDocSchema, VehiclesDocSchema } from "./schema-vehicles.ts";
import type {
  AlertCodeSchema,
  AlertSchema,
  ChargerSchema,
  DaysSchema,
  EnergySourceSchema,
  StateDocumentSchema,
} from "./schema.ts";

/** Weekday flags. */
export type Days = Static<typeof DaysSchema>;

/** Alert codes raised by the product (add a code to AlertCodeSchema in state/schema.ts). */
export type AlertCode = Static<typeof AlertCodeSchema>;

/** One raised alert. */
export type Alert = Static<typeof AlertSchema>;

/** One linked charger. */
export type Charger = Static<typeof ChargerSchema>;

/** Status of one energy source. */
export type EnergySourceStatus = Static<typeof EnergySourceSchema>;

/** The whole state document. */
export type StateDocument = Static<typeof StateDocumentSchema>;

/** One RFC 6902 operation (only the three the diff produces). */
export type PatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown };

/** One point of `GET /api/v2/history` (shared with the web interface). */
export type HistoryDocPoint = Static<typeof HistoryDocPointSchema>;

/** `GET /api/v2/history` body. */
export type HistoryDoc = Static<typeof HistoryDocSchema>;

/** One charge session of `GET /api/v2/sessions` (shared with the web interface). */
export type SessionDoc = Static<typeof SessionDocSchema>;

/** One car of the state document's `vehicles` (vehicles.md §2.13; no coordinates, no token). */
export type VehicleDoc = Static<typeof VehicleDocSchema>;

/** The last command sent to a car and its result. */
export type VehicleCommandDoc = Static<typeof VehicleCommandDocSchema>;

/** The state document's `teslaAccount` (never a token). */
export type TeslaAccountDoc = Static<typeof TeslaAccountDocSchema>;

/** A vehicle group of `GET /api/v2/vehicles`. */
export type VehicleGroupDoc = Static<typeof VehicleGroupDocSchema>;

/** `GET /api/v2/vehicles` body. */
export type VehiclesDoc = Static<typeof VehiclesDocSchema>;
