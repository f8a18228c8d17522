/** Public API of the pure protocol layer (design.md §5). */
export * from "./amps.ts";
export * from "./bytes.ts";
export * from "./checksum.ts";
export * from "./codec.ts";
export * from "./constants.ts";
export * from "./debug.ts";
export * from "./deframer.ts";
export * from "./frames.ts";
export * from "./hex.ts";
export * from "./slip.ts";
export * from "./vin.ts";
