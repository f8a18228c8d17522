/** One error type with stable codes (design.md §9); tests assert codes, never message text. */

/** Stable error codes. */
export type TwcErrorCode =
  | "CONFIG_FILE_NOT_FOUND"
  | "CONFIG_PARSE"
  | "CONFIG_INVALID"
  | "TRANSPORT_OPEN_FAILED"
  | "TRANSPORT_WRITE_FAILED"
  | "TRANSPORT_CLOSED"
  | "PROTOCOL_ENCODE_INVALID"
  | "CONTROLLER_TX_QUEUE_FULL"
  | "CONTROLLER_NO_SLAVE"
  | "CONTROLLER_MONITOR_MODE"
  | "HTTP_VALIDATION"
  | "HTTP_NOT_FOUND"
  | "HTTP_FORBIDDEN"
  | "HTTP_UNAUTHORIZED"
  | "HTTP_NOT_IMPLEMENTED"
  | "HTTP_LISTEN_FAILED"
  | "STORE_SETTINGS_WRITE"
  | "STORE_SETTINGS_LOCKED"
  | "STORE_DATABASE";

/** Constructor argument of TwcError. */
export interface TwcErrorInit {
  code: TwcErrorCode;
  /** User-facing; names the field for HTTP_VALIDATION. */
  message: string;
  context?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/** The product's error class. */
export class TwcError extends Error {
  readonly code: TwcErrorCode;
  readonly context: Readonly<Record<string, unknown>> | undefined;
  constructor(init: TwcErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "TwcError";
    this.code = init.code;
    this.context = init.context;
  }
}

/** True when `value` is a TwcError. */
export function isTwcError(value: unknown): value is TwcError {
  return value instanceof TwcError;
}
