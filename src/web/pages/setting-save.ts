/** Saving one setting through POST /api/setSetting with per-key error and success state. */
import { html, nothing, type TemplateResult } from "lit";
import { postJson } from "../api.ts";
import { fieldError } from "../components/forms.ts";
import { icon } from "../components/icons.ts";
import { afterAction } from "../context.ts";

/** Per-key results of setSetting calls, owned by a page; `changed` re-renders it. */
export class SettingSaver {
  readonly errors: Record<string, string> = {};
  readonly saved: Record<string, boolean> = {};
  /** Values stored by this page (shown when the server does not report the setting). */
  readonly values: Record<string, unknown> = {};
  authRequired = false;

  constructor(private readonly changed: () => void) {}

  /** Posts {setting, value}; the server message (which names the key) is kept under the key. */
  async save(key: string, value: unknown): Promise<boolean> {
    delete this.errors[key];
    this.saved[key] = false;
    this.changed();
    const r = await postJson("/api/setSetting", { setting: key, value });
    if (r.ok) {
      this.saved[key] = true;
      this.values[key] = value;
      afterAction();
    } else {
      this.errors[key] = r.error;
      this.authRequired = r.status === 401;
    }
    this.changed();
    return r.ok;
  }

  /** `settings` overlaid with the values this page stored since the settings were read. */
  merged(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return {
      ...settings,
      ...Object.fromEntries(Object.entries(this.values).filter(([k]) => !Object.hasOwn(settings, k))),
    };
  }

  /** aria-invalid for a key. */
  invalid(key: string): "true" | "false" {
    return this.errors[key] ? "true" : "false";
  }

  /** Error and "Saved" marks under a field. */
  feedback(key: string, id: string): TemplateResult {
    const next = encodeURIComponent(location.pathname);
    return html`${fieldError(this.errors, key, id)}
    ${this.errors[key] && this.authRequired ? html`<p class="hint"><a href="/login?next=${next}">Sign in</a> to change settings.</p>` : nothing}
    ${this.saved[key] ? html`<p class="ok-text" role="status">${icon("check")}<span>Saved</span></p>` : nothing}`;
  }
}
