/**
 * The header's sign-in area (issue 12 §11): "Sign in" while signed out, "Signed in as <name>" and a
 * "Sign out" button (POST /logout) while signed in, nothing when the server has no login (GET /login
 * is then 404). The state comes from `GET /login` asked for JSON (http/security/login.ts).
 */
import { html, nothing } from "lit";
import { getJson } from "../api.ts";
import { LightElement } from "./base.ts";

/** The sign-in state, null until known or when there is no login. */
type SignIn = { signedIn: boolean; username: string | null } | null;

function asSignIn(v: unknown): SignIn {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.signedIn !== "boolean") return null;
  return { signedIn: o.signedIn, username: typeof o.username === "string" ? o.username : null };
}

/** <twc-sign-in .path>: `path` is the current page (the sign-in link comes back to it). */
export class SignInArea extends LightElement {
  static override properties = { path: { type: String }, who: { state: true } };
  declare path: string;
  declare who: SignIn;

  constructor() {
    super();
    this.path = "/";
    this.who = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const r = await getJson("/login");
    this.who = r.ok ? asSignIn(r.data) : null;
  }

  protected override render(): unknown {
    const w = this.who;
    if (!w) return nothing;
    if (!w.signedIn)
      return html`<a
        class="btn btn-small sign-in"
        data-testid="sign-in"
        href="/login?next=${encodeURIComponent(this.path)}"
        >Sign in</a
      >`;
    return html`<form class="sign-out" method="post" action="/logout" data-testid="signed-in">
      <span class="small">Signed in as <strong>${w.username ?? "you"}</strong></span>
      <button type="submit" class="btn btn-small">Sign out</button>
    </form>`;
  }
}
customElements.define("twc-sign-in", SignInArea);
