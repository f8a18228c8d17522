/**
 * TypeBox pieces shared by the catalogue modules' schemas (energy-sources.md §1.6, §1.8): ports and IDs
 * that accept a JSON number or a numeric string, and `pollIntervalS` with the module's default.
 */
import { Type } from "typebox";

/** `enabled`, default false (§1.2). */
export const enabledKey = (): ReturnType<typeof Type.Boolean> => Type.Boolean({ default: false });

/** A port 1–65535 (number or numeric string) with its upstream default. */
export const portKey = (dflt: number): ReturnType<typeof Type.Integer> =>
  Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: dflt,
    "x-quiet": true,
    description: "Port (number or numeric string)",
  });

/** An ID, feed or serial: a string or a JSON number (§1.8). */
export const idKey = (description: string): ReturnType<typeof Type.Optional<ReturnType<typeof idType>>> =>
  Type.Optional(idType(description));

/** The type of {@link idKey} without the Optional wrapper. */
export const idType = (
  description: string,
): ReturnType<typeof Type.Union<[ReturnType<typeof Type.String>, ReturnType<typeof Type.Number>]>> =>
  Type.Union([Type.String(), Type.Number()], { description });

/** Our extension: the poll interval (s) with the module's recommended default (§1.6). */
export const pollIntervalKey = (dflt: number, minimum = 2): ReturnType<typeof Type.Number> =>
  Type.Number({ minimum, maximum: 3600, default: dflt, description: "Our extension: poll interval (s)" });

/** An optional string key (e.g. an item or output name; empty = not read). */
export const optionalText = (description: string): ReturnType<typeof Type.String> =>
  Type.String({ default: "", description });

/** The host key `serverIP`: Optional in the schema, listed in the descriptor's `required` (checked when enabled). */
export const serverIpKey = (
  description = "Host",
): ReturnType<typeof Type.Optional<ReturnType<typeof Type.String>>> =>
  Type.Optional(Type.String({ minLength: 1, description }));
