/** Base class of every UI element: renders into the light DOM so the bundled stylesheet applies. */
import { LitElement } from "lit";

/** A LitElement without shadow DOM. */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}
