/** Small inline SVG icons (decorative: always paired with text, hidden from assistive technology). */
import { svg, html, type TemplateResult } from "lit";

const PATHS = {
  bolt: svg`<path d="M13 2 4 14h7l-1 8 9-12h-7z"/>`,
  sun: svg`<circle cx="12" cy="12" r="4"/><path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/>`,
  plug: svg`<path d="M9 2v5M15 2v5M6 7h12v4a6 6 0 0 1-12 0zM12 17v5"/>`,
  pause: svg`<path d="M9 5v14M15 5v14"/>`,
  stop: svg`<rect x="6" y="6" width="12" height="12" rx="1"/>`,
  alert: svg`<path d="M12 3 2 20h20zM12 10v4M12 17v.5"/>`,
  info: svg`<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>`,
  check: svg`<path d="m5 12 5 5 9-10"/>`,
  cross: svg`<path d="M6 6l12 12M18 6 6 18"/>`,
  clock: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
  dot: svg`<circle cx="12" cy="12" r="5"/>`,
  calendar: svg`<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>`,
  home: svg`<path d="M3 11 12 4l9 7M5 10v10h14V10"/>`,
  grid: svg`<path d="M4 17l5-6 4 3 7-9"/>`,
  question: svg`<circle cx="12" cy="12" r="9"/><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17v.5"/>`,
} as const;

/** Icon names. */
export type IconName = keyof typeof PATHS;

/** An inline icon. */
export function icon(name: IconName, cls = ""): TemplateResult {
  return html`<svg class="icon ${cls}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    ${PATHS[name]}
  </svg>`;
}
