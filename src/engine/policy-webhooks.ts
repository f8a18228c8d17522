/** Policy webhooks (controller.md §16.9): which URL a policy event calls, and the call, logged (redacted) when it fails. */
import type { Policy } from "../policy/types.ts";
import { redactWebhookUrl } from "../shared/redact.ts";
import type { ControllerLogger } from "../bus/controller-types.ts";

/** Sends one webhook request (cli/webhook.ts in the product). */
export type WebhookSender = (url: string, method: "POST" | "GET", body: string) => Promise<void>;

/** A policy event that may have a webhook. */
export type PolicyEvent = "enter" | "exit" | "start" | "stop";

/** What firing a webhook needs. */
export interface WebhookDeps {
  send: WebhookSender | undefined;
  method: "POST" | "GET";
  /** The legacy status document, rendered when a webhook is actually sent. */
  body: () => string;
  logger: ControllerLogger;
}

/** Fires the policy's webhook for `event`, if it has one; never throws, never waits. */
export function firePolicyWebhook(d: WebhookDeps, policy: Policy, event: PolicyEvent): void {
  const url = policy.webhooks?.[event];
  if (!url || !d.send) return;
  d.send(url, d.method, d.body()).catch((err: unknown) => {
    d.logger.warn({ err, code: "WEBHOOK_FAILED", url: redactWebhookUrl(url), event }, `policy webhook ${event} of ${policy.name} failed`);
  });
}
