/** The HTTP error model (http-api.md §4.2): TwcError codes mapped to statuses in one table. */
import type { TwcErrorCode } from "../shared/errors.ts";

/** HTTP status for each error code that can reach the HTTP layer. */
export const STATUS_BY_CODE: Partial<Record<TwcErrorCode, number>> = {
  HTTP_VALIDATION: 400,
  HTTP_UNAUTHORIZED: 401,
  HTTP_FORBIDDEN: 403,
  HTTP_NOT_FOUND: 404,
  CONTROLLER_MONITOR_MODE: 409,
  CONTROLLER_NO_SLAVE: 409,
  HTTP_NOT_IMPLEMENTED: 501,
  CONTROLLER_TX_QUEUE_FULL: 503,
  STORE_SETTINGS_WRITE: 500,
};
