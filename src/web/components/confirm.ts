/** A modal confirmation dialog built on the native <dialog> (focus trap, Escape and backdrop by the browser). */
import { html, render, type TemplateResult } from "lit";

/** What the dialog says. */
export interface ConfirmOptions {
  title: string;
  body: TemplateResult | string;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
}

/** Shows the dialog; resolves true when the user confirms. */
export function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  const dlg = document.createElement("dialog");
  dlg.className = "dialog";
  dlg.setAttribute("aria-labelledby", "dialog-title");
  document.body.append(dlg);
  return new Promise((resolve) => {
    const close = (v: string): void => dlg.close(v);
    render(
      html`<form method="dialog" class="dialog-body">
        <h2 id="dialog-title">${o.title}</h2>
        <div class="dialog-text">${o.body}</div>
        <div class="dialog-actions">
          <button type="button" class="btn" value="cancel" @click=${() => close("cancel")} autofocus>
            ${o.cancelLabel ?? "Cancel"}
          </button>
          <button
            type="button"
            class="btn ${o.danger ? "btn-danger" : "btn-primary"}"
            value="ok"
            @click=${() => close("ok")}
          >
            ${o.confirmLabel}
          </button>
        </div>
      </form>`,
      dlg,
    );
    dlg.addEventListener(
      "close",
      () => {
        resolve(dlg.returnValue === "ok");
        dlg.remove();
      },
      { once: true },
    );
    dlg.showModal();
  });
}
