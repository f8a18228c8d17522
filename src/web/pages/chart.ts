/** uPlot wrapper for the power chart: theme colours from CSS variables, resizes with its container. */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { fmtW } from "../format.ts";

/** Series of the chart, all in watts, aligned with `times` (epoch seconds). */
export interface PowerSeries {
  times: number[];
  charger: (number | null)[];
  generation: (number | null)[];
  consumption: (number | null)[];
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** 24-hour axis labels: "18:00", with the weekday at midnight or, over several days, only the date. */
function timeLabel(sec: number, times: number[]): string {
  const d = new Date(sec * 1000);
  const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
  const day = d.toLocaleDateString(undefined, { weekday: "short", day: "numeric" });
  if (span > 2.5 * 86400) return day;
  const hm = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return d.getHours() === 0 && d.getMinutes() === 0 ? `${day}\n${hm}` : hm;
}

/** A chart mounted in `host`; call destroy() when leaving. */
export class PowerChart {
  private plot: uPlot | null = null;
  private readonly resize: ResizeObserver;
  private readonly scheme = window.matchMedia("(prefers-color-scheme: dark)");
  private data: PowerSeries | null = null;
  private readonly onScheme = (): void => this.rebuild();

  constructor(private readonly host: HTMLElement) {
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize(this.size());
    });
    this.resize.observe(host);
    this.scheme.addEventListener("change", this.onScheme);
  }

  private size(): { width: number; height: number } {
    const width = Math.max(280, Math.floor(this.host.clientWidth));
    return { width, height: width < 600 ? 240 : 320 };
  }

  /** Shows new data (rebuilds the chart). */
  setData(d: PowerSeries): void {
    this.data = d;
    this.rebuild();
  }

  private rebuild(): void {
    this.plot?.destroy();
    this.plot = null;
    const d = this.data;
    if (!d) return;
    const text = cssVar("--text-muted", "#555");
    const grid = cssVar("--border", "#ddd");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const watts = (_u: uPlot, v: number | null): string => (v === null ? "—" : fmtW(v));
    const opts: uPlot.Options = {
      ...this.size(),
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1000, max * 1.1)] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((s) => timeLabel(s, d.times)) },
        {
          ...axis,
          size: 64,
          values: (_u, vals) => vals.map((v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} kW` : `${v} W`)),
        },
      ],
      series: [
        {},
        {
          label: "Charger power",
          stroke: cssVar("--chart-charger", "#1f6fd1"),
          width: 2,
          fill: cssVar("--chart-charger-fill", "rgba(31,111,209,.12)"),
          value: watts,
          spanGaps: false,
        },
        {
          label: "Generation",
          stroke: cssVar("--chart-generation", "#b7791f"),
          width: 2,
          dash: [8, 4],
          value: watts,
        },
        {
          label: "Consumption",
          stroke: cssVar("--chart-consumption", "#7a5af8"),
          width: 2,
          dash: [2, 4],
          value: watts,
        },
      ],
    };
    this.plot = new uPlot(opts, [d.times, d.charger, d.generation, d.consumption], this.host);
  }

  /** Unmounts the chart and its observers. */
  destroy(): void {
    this.resize.disconnect();
    this.scheme.removeEventListener("change", this.onScheme);
    this.plot?.destroy();
    this.plot = null;
  }
}
