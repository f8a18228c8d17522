/** TypeBox schema of config.json `policy` (config.md §3.7, controller.md §16.1–16.3). */
import { Type, type Static } from "typebox";

/** Policy webhooks `{enter, start, stop, exit}` → URLs. */
export const WebhooksSchema = Type.Object({
  enter: Type.Optional(Type.String({ minLength: 1, description: "Fired when the policy becomes active" })),
  start: Type.Optional(
    Type.String({ minLength: 1, description: "Fired when a car starts charging under the policy" }),
  ),
  stop: Type.Optional(
    Type.String({ minLength: 1, description: "Fired when a car stops charging under the policy" }),
  ),
  exit: Type.Optional(Type.String({ minLength: 1, description: "Fired when the policy stops being active" })),
});

const conditionLists = {
  match: Type.Array(Type.Unknown(), { default: [], description: "Left-hand macros or literals" }),
  condition: Type.Array(Type.Unknown(), {
    default: [],
    description: "gt, gte, lt, lte, eq, ne, false, none (or nested lists for groups)",
  }),
  value: Type.Array(Type.Unknown(), { default: [], description: "Right-hand macros or literals" }),
};

/** One policy record (controller.md §16.1). */
export const PolicyDefinitionSchema = Type.Object({
  name: Type.String({ minLength: 1, description: "Display name and identity" }),
  ...conditionLists,
  charge_amps: Type.Optional(
    Type.Unknown({ description: "Macro or number giving the budget; absent = green policy" }),
  ),
  charge_limit: Type.Optional(
    Type.Unknown({ description: "State-of-charge limit 50–100 (vehicle modules only)" }),
  ),
  allowed_flex: Type.Optional(Type.Unknown({ description: "Flex amps macro or number" })),
  background_task: Type.Optional(
    Type.String({ description: "Accepted; only checkGreenEnergy has an effect" }),
  ),
  latch_period: Type.Optional(
    Type.Number({ minimum: 0, description: "Minutes the policy stays selected after it last matched" }),
  ),
  webhooks: Type.Optional(WebhooksSchema),
});

/** `policy.extend.restrictions.<name>`: conditions ANDed to an existing policy. */
export const RestrictionSchema = Type.Object(conditionLists);

/** The `policy` section. */
export const PolicySectionSchema = Type.Object({
  override: Type.Array(PolicyDefinitionSchema, {
    default: [],
    description: "A non-empty list replaces the whole policy list",
  }),
  extend: Type.Object(
    {
      emergency: Type.Array(PolicyDefinitionSchema, { default: [], description: "Inserted at index 0" }),
      before: Type.Array(PolicyDefinitionSchema, {
        default: [],
        description: "Inserted at index 1 (after Charge Now)",
      }),
      after: Type.Array(PolicyDefinitionSchema, {
        default: [],
        description: "Inserted at index 3 (before Non Scheduled Charging)",
      }),
      restrictions: Type.Record(Type.String(), RestrictionSchema, {
        default: {},
        description: "Extra conditions per policy name",
      }),
      webhooks: Type.Record(Type.String(), WebhooksSchema, {
        default: {},
        description: "Webhooks per policy name",
      }),
    },
    { default: {} },
  ),
  engine: Type.Object(
    {
      policyCheckInterval: Type.Number({
        minimum: 5,
        maximum: 3600,
        default: 30,
        description: "Seconds between evaluations (0 or absent = 30)",
      }),
    },
    { default: {} },
  ),
  alwaysPollEMS: Type.Optional(Type.Unknown({ description: "Accepted; no effect" })),
});

/** A validated policy record. */
export type PolicyDefinition = Static<typeof PolicyDefinitionSchema>;
/** Policy webhooks. */
export type PolicyWebhooks = Static<typeof WebhooksSchema>;
/** A validated restriction. */
export type PolicyRestriction = Static<typeof RestrictionSchema>;
/** The normalised `policy` section. */
export type PolicySection = Static<typeof PolicySectionSchema>;
