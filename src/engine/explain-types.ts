/** The explanation type of the state document (issue 12 §5), derived from its schema. Pure types. */
import type { Static } from "typebox";
import type { WhySchema } from "../state/schema.ts";

/** One plain sentence of why: a stable code, the numbers, the English text. */
export type Why = Static<typeof WhySchema>;
