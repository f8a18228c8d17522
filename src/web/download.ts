/** Client-side file download through a Blob (no network request). */

/** Offers `text` as a file download (no network request). */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke on the next turn: the download has started by then.
  queueMicrotask(() => URL.revokeObjectURL(url));
}
