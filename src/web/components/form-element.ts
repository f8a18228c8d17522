/** Base class of the UI's forms: the state every form shows and the one way they post. */
import type { PropertyDeclarations } from "lit";
import { postJson, type ApiResult } from "../api.ts";
import { LightElement } from "./base.ts";
import { errorsFrom, type Errors } from "./forms.ts";

/** A form with errors by field, a success message, a busy flag and a sign-in hint after a 401. */
export class FormElement extends LightElement {
  static override properties: PropertyDeclarations = {
    errors: { state: true },
    ok: { state: true },
    busy: { state: true },
    authRequired: { state: true },
  };
  declare errors: Errors;
  declare ok: string | null;
  declare busy: boolean;
  declare authRequired: boolean;

  constructor() {
    super();
    this.errors = {};
    this.ok = null;
    this.busy = false;
    this.authRequired = false;
  }

  /**
   * Posts `body` to `path` while `busy`, then shows a failure next to the field of `fields` it names
   * (else on the form) and the sign-in hint on 401. The caller sets `ok`.
   */
  protected async postForm(
    path: string,
    body: unknown,
    fields: readonly string[],
  ): Promise<ApiResult<unknown>> {
    this.busy = true;
    const r = await postJson(path, body);
    this.busy = false;
    this.errors = errorsFrom(r, fields);
    this.authRequired = !r.ok && r.status === 401;
    return r;
  }
}
