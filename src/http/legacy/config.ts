/**
 * `GET /api/getConfig` (http-api.md §6.3): config.json as loaded, with secrets redacted structurally at
 * any depth by key name and inside values (src/shared/redact.ts). Pure.
 */
import { redactSecrets } from "../../shared/redact.ts";

export { HIDDEN, redactSecrets } from "../../shared/redact.ts";

/** The getConfig body. */
export function renderConfig(raw: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(redactSecrets(raw));
}

/** The getPolicy body (http-api.md §6.4): the policy list, webhook URLs and secrets redacted. */
export function renderPolicies(policies: readonly Record<string, unknown>[]): string {
  return JSON.stringify(redactSecrets(policies));
}
