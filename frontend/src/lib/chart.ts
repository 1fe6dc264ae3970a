/**
 * Small dependency-free SVG charts (horizontal bars, lines) for the review pages. They scale with
 * their container (viewBox), carry a <title> and role="img" for screen readers, and label values
 * in text so colour is never the only signal. Later pages reuse them for agreement and training curves.
 */
import { svg } from "./dom";

export interface BarDatum {
  label: string;
  value: number;
  /** Text after the bar; defaults to the formatted value. */
  note?: string;
  /** Colour series (0–5); defaults to the row index. */
  series?: number;
}

export interface ChartOptions {
  title: string;
  /** Counts: ticks on whole numbers only. */
  integer?: boolean;
  width?: number;
  height?: number;
  format?: (v: number) => string;
}

/** Round tick values covering [min, max] (1, 2 or 5 × 10^k steps). */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max < min) [min, max] = [max, min];
  if (max === min) max = min + 1;
  const rough = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toFixed(10)));
  return ticks;
}

const defaultFormat = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

export function barChart(data: BarDatum[], opts: ChartOptions): SVGSVGElement {
  const format = opts.format ?? defaultFormat;
  const width = opts.width ?? 880;
  const rowH = 30;
  const labelW = 190;
  const noteW = 64;
  const top = 8;
  const height = opts.height ?? top + Math.max(1, data.length) * rowH + 26;
  const plotW = width - labelW - noteW;
  const ticks = niceTicks(0, Math.max(1, ...data.map((d) => d.value)), 4, opts.integer);
  const maxTick = ticks[ticks.length - 1] || 1;
  const x = (v: number) => labelW + (Math.max(0, v) / maxTick) * plotW;

  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart chart-bar", role: "img", "aria-label": opts.title });
  root.append(svg("title", {}, opts.title));
  const axisY = top + data.length * rowH;
  for (const tick of ticks) {
    root.append(
      svg("line", { x1: x(tick), x2: x(tick), y1: top - 4, y2: axisY, class: "chart-grid" }),
      svg("text", { x: x(tick), y: axisY + 16, class: "chart-tick", "text-anchor": "middle" }, format(tick)),
    );
  }
  data.forEach((d, i) => {
    const y = top + i * rowH;
    const w = Math.max(d.value > 0 ? 2 : 0, x(d.value) - labelW);
    root.append(
      svg("text", { x: labelW - 10, y: y + rowH / 2 + 4, class: "chart-label", "text-anchor": "end" }, d.label),
      svg("rect", { x: labelW, y: y + 6, width: w, height: rowH - 12, rx: 4, class: `chart-bar-rect series-${(d.series ?? i) % 6}` }),
      svg("text", { x: labelW + w + 8, y: y + rowH / 2 + 4, class: "chart-value" }, d.note ?? format(d.value)),
    );
  });
  return root;
}

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export function lineChart(series: LineSeries[], opts: ChartOptions & { xLabel?: string; yLabel?: string }): SVGSVGElement {
  const format = opts.format ?? defaultFormat;
  const width = opts.width ?? 640;
  const height = opts.height ?? 260;
  const pad = { left: 52, right: 16, top: 16, bottom: 40 };
  const all = series.flatMap((s) => s.points);
  const xs = niceTicks(Math.min(0, ...all.map((p) => p.x)), Math.max(1, ...all.map((p) => p.x)), 5);
  const ys = niceTicks(Math.min(0, ...all.map((p) => p.y)), Math.max(1, ...all.map((p) => p.y)), 4);
  const [x0, x1, y0, y1] = [xs[0], xs[xs.length - 1], ys[0], ys[ys.length - 1]];
  const px = (v: number) => pad.left + ((v - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const py = (v: number) => height - pad.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);

  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart chart-line", role: "img", "aria-label": opts.title });
  root.append(svg("title", {}, opts.title));
  for (const tick of ys) {
    root.append(
      svg("line", { x1: pad.left, x2: width - pad.right, y1: py(tick), y2: py(tick), class: "chart-grid" }),
      svg("text", { x: pad.left - 8, y: py(tick) + 4, class: "chart-tick", "text-anchor": "end" }, format(tick)),
    );
  }
  for (const tick of xs) {
    root.append(svg("text", { x: px(tick), y: height - pad.bottom + 18, class: "chart-tick", "text-anchor": "middle" }, format(tick)));
  }
  if (opts.xLabel) root.append(svg("text", { x: width / 2, y: height - 4, class: "chart-axis-label", "text-anchor": "middle" }, opts.xLabel));
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const d = s.points.map((p, k) => `${k ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join("");
    const last = s.points[s.points.length - 1];
    root.append(
      svg("path", { d, class: `chart-line-path series-${i % 6}`, fill: "none" }),
      svg("text", { x: px(last.x) - 4, y: py(last.y) - 8, class: "chart-value", "text-anchor": "end" }, s.name),
    );
  });
  return root;
}
