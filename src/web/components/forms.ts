/**
 * Form helpers: server error messages mapped to the field they name (http-api.md §10: "show the
 * JSON error message next to the form field it names"), and the markup for those messages.
 */
import { html, nothing, type TemplateResult } from "lit";
import { fieldOf, type ApiResult } from "../api.ts";
import { inFormWords } from "../validate.ts";
import { icon } from "./icons.ts";

/** Error messages by field name; the key "" holds a message for the whole form. */
export type Errors = Readonly<Record<string, string>>;

/**
 * Maps a failed API result to the field it names (or to the form), in the form's words when `labels`
 * (API field → the form's label) are given.
 */
export function errorsFrom(
  r: ApiResult<unknown>,
  fields: readonly string[],
  fallbackField = "",
  labels: Readonly<Record<string, string>> = {},
): Errors {
  if (r.ok) return {};
  const f = fieldOf(r.error, fields) ?? fallbackField;
  return { [f]: inFormWords(r.error, labels) };
}

/** `errors` with every message in the form's words (see errorsFrom). */
export function inWords(errors: Errors, labels: Readonly<Record<string, string>>): Errors {
  return Object.fromEntries(Object.entries(errors).map(([k, m]) => [k, inFormWords(m, labels)]));
}

/** The message under a field (id `<prefix>-<field>-error`, referenced by aria-describedby). */
export function fieldError(errors: Errors, field: string, id: string): TemplateResult | typeof nothing {
  const msg = errors[field];
  if (!msg) return nothing;
  return html`<p class="field-error" id=${id} role="alert">${icon("alert")}<span>${msg}</span></p>`;
}

/** aria-describedby value for a field with a hint and/or an error. */
export function describedBy(
  errors: Errors,
  field: string,
  errorId: string,
  hintId?: string,
): string | typeof nothing {
  const ids = [hintId, errors[field] ? errorId : undefined].filter((x): x is string => !!x);
  return ids.length > 0 ? ids.join(" ") : nothing;
}

/** The form-level message (failure, with a sign-in link for 401) or success. */
export function formStatus(errors: Errors, ok: string | null, authRequired = false): TemplateResult {
  const msg = errors[""];
  const next = encodeURIComponent(location.pathname);
  return html`<div class="form-status" role="status" aria-live="polite">
    ${
      msg
        ? html`<p class="field-error">
            ${icon("alert")}<span
              >${msg}${authRequired ? html` — <a href="/login?next=${next}">sign in</a>` : nothing}</span
            >
          </p>`
        : ok
          ? html`<p class="ok-text">${icon("check")}<span>${ok}</span></p>`
          : nothing
    }
  </div>`;
}
