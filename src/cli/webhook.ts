/** Policy webhooks (controller.md §16.9): one asynchronous request, 5 s timeout, no retries. */
import { withUrlCredentials } from "../shared/url-credentials.ts";
import type { Clock } from "../shared/clock.ts";
import { redactText, redactWebhookUrl } from "../shared/redact.ts";

/** A failed webhook; its message names the URL by scheme and host only (the path may be the secret). */
export class WebhookError extends Error {
  override readonly name = "WebhookError";
}

/** The message of a failure while calling `url`, with the URL (and anything secret-looking) redacted. */
export function webhookFailure(url: string, err: unknown): string {
  const cause =
    err instanceof Error
      ? err.cause instanceof Error
        ? `${err.message}: ${err.cause.message}`
        : err.message
      : String(err);
  const shown = redactWebhookUrl(url);
  const scrubbed = url === "" ? cause : cause.split(url).join(shown);
  return `webhook ${shown} failed: ${redactText(scrubbed)}`;
}

/**
 * Sends the status document to `url` (POST with JSON body, or GET without body); rejects with a
 * WebhookError whose message has no part of the URL but scheme and host.
 */
export async function sendWebhook(
  url: string,
  method: "POST" | "GET",
  body: string,
  clock: Clock,
  timeoutMs = 5000,
): Promise<void> {
  const ac = new AbortController();
  const t = clock.setTimeout(() => ac.abort(), timeoutMs);
  try {
    const target = withUrlCredentials(url, {
      method,
      signal: ac.signal,
      ...(method === "POST" ? { headers: { "Content-Type": "application/json" }, body } : {}),
    });
    const res = await fetch(target.url, target.init);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new WebhookError(webhookFailure(url, err));
  } finally {
    clock.clearTimeout(t);
  }
}
