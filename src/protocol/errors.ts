/** The product's single error type (design.md §2.6, §9), re-exported for protocol/. */
// eslint-disable-next-line no-restricted-imports -- the one error type lives in shared/errors.ts, which is pure (no node:*, no I/O); protocol/ needs it for PROTOCOL_ENCODE_INVALID (design.md §5)
export { TwcError } from "../shared/errors.ts";
