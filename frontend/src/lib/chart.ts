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

export interface LineOptions extends ChartOptions {
  xLabel?: string;
  yLabel?: string;
  /** Fixed x range (e.g. [0, clip seconds] so the plot lines up with a player's timeline); otherwise from the data, always including 0 and 1. */
  xDomain?: [number, number];
  /** Fixed y range (e.g. [0, 1] for scores). */
  yDomain?: [number, number];
}

export interface LineScale {
  width: number;
  height: number;
  pad: { left: number; right: number; top: number; bottom: number };
  xTicks: number[];
  yTicks: number[];
  px: (v: number) => number;
  py: (v: number) => number;
}

/** Ticks inside a fixed domain (the domain's ends are the axis, whatever the nice steps). */
function domainTicks(domain: [number, number], count: number): number[] {
  const [lo, hi] = domain;
  return niceTicks(lo, hi, count).filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9);
}

/** The geometry lineChart draws with, so a caller can place its own marks (a playhead) on the same axes. */
export function lineScale(series: LineSeries[], opts: Omit<LineOptions, "title"> = {}): LineScale {
  const width = opts.width ?? 640;
  const height = opts.height ?? 260;
  const pad = { left: 52, right: 16, top: 16, bottom: 40 };
  const all = series.flatMap((s) => s.points);
  const xTicks = opts.xDomain ? domainTicks(opts.xDomain, 5) : niceTicks(Math.min(0, ...all.map((p) => p.x)), Math.max(1, ...all.map((p) => p.x)), 5);
  const yTicks = opts.yDomain ? domainTicks(opts.yDomain, 4) : niceTicks(Math.min(0, ...all.map((p) => p.y)), Math.max(1, ...all.map((p) => p.y)), 4);
  const [x0, x1] = opts.xDomain ?? [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = opts.yDomain ?? [yTicks[0], yTicks[yTicks.length - 1]];
  const px = (v: number) => pad.left + ((v - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const py = (v: number) => height - pad.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  return { width, height, pad, xTicks, yTicks, px, py };
}

export function lineChart(series: LineSeries[], opts: LineOptions): SVGSVGElement {
  const format = opts.format ?? defaultFormat;
  const { width, height, pad, xTicks: xs, yTicks: ys, px, py } = lineScale(series, opts);

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

/* ---------------------------------------------------------------------------------------------
 * Range bars: signed values (a zero line when the domain crosses 0), several bars per row (series)
 * and optional confidence-interval whiskers. The geometry is a pure model (`rangeBarModel`) so it
 * can be tested without a DOM; `rangeBarChart` only draws it.
 * ------------------------------------------------------------------------------------------- */

export interface RangeBar {
  /** null/NaN: no bar, the note says "—" (e.g. agreement undefined with too few overlaps). */
  value: number | null;
  low?: number | null;
  high?: number | null;
  /** Colour series (0–5). */
  series?: number;
  /** Series name, used in the title tooltip and the value text. */
  name?: string;
  /** Text after the bar; defaults to the formatted value. */
  note?: string;
}

export interface RangeRow {
  label: string;
  bars: RangeBar[];
}

export interface RangeOptions extends ChartOptions {
  /** Fixed axis range (e.g. [0, 1] for accuracies); otherwise from the data, always including 0. */
  domain?: [number, number];
  rowHeight?: number;
  labelWidth?: number;
  /** A dashed reference line (e.g. the gold pass mark), labelled in text. */
  marker?: { value: number; label: string };
}

export interface RangeBarGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
  series: number;
  /** Whisker line from xLow to xHigh at yMid, with caps; null when no interval is known. */
  whisker: { xLow: number; xHigh: number; yMid: number } | null;
  text: string;
  textX: number;
  missing: boolean;
  name: string;
}

export interface RangeModel {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  axisY: number;
  zeroX: number;
  ticks: { value: number; x: number }[];
  rows: { label: string; y: number; labelY: number; bars: RangeBarGeometry[] }[];
  /** x of the reference line, or null when none was asked for (or its value is not finite). */
  markerX: number | null;
}

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

export function formatMaybe(v: number | null | undefined, format: (v: number) => string = defaultFormat): string {
  return finite(v) ? format(v) : "—";
}

/** Pure geometry of a range-bar chart (see RangeRow). Never produces NaN, even for empty data. */
export function rangeBarModel(rows: RangeRow[], opts: Omit<RangeOptions, "title"> = {}): RangeModel {
  const format = opts.format ?? defaultFormat;
  const width = opts.width ?? 880;
  const labelW = opts.labelWidth ?? 190;
  const noteW = 76;
  const top = 8;
  const perBar = 18;
  const rowPad = 12;
  const rowH = (r: RangeRow) => opts.rowHeight ?? Math.max(30, r.bars.length * perBar + rowPad);
  const values = rows.flatMap((r) => r.bars.flatMap((b) => [b.value, b.low, b.high])).filter(finite);
  let [lo, hi] = opts.domain ?? [Math.min(0, ...values), Math.max(0, ...values)];
  if (!(hi > lo)) hi = lo + 1;
  const ticks = opts.domain ? niceTicks(lo, hi, 4, opts.integer).filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9) : niceTicks(lo, hi, 4, opts.integer);
  if (!opts.domain) [lo, hi] = [Math.min(lo, ticks[0]), Math.max(hi, ticks[ticks.length - 1])];
  const plotLeft = labelW;
  const plotRight = width - noteW;
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  const x = (v: number) => plotLeft + ((clamp(v) - lo) / (hi - lo)) * (plotRight - plotLeft);
  const zeroX = x(0);
  let y = top;
  const outRows = rows.map((row) => {
    const h = rowH(row);
    const barH = Math.max(6, Math.min(perBar - 4, (h - rowPad) / Math.max(1, row.bars.length) - 2));
    const inner = row.bars.length * (barH + 2) - 2;
    const y0 = y + (h - inner) / 2;
    const bars = row.bars.map((b, k): RangeBarGeometry => {
      const by = y0 + k * (barH + 2);
      const missing = !finite(b.value);
      const v = missing ? 0 : (b.value as number);
      const xv = x(v);
      const left = Math.min(zeroX, xv);
      const w = missing ? 0 : Math.max(v !== 0 ? 2 : 0, Math.abs(xv - zeroX));
      const whisker = !missing && finite(b.low) && finite(b.high) ? { xLow: x(Math.min(b.low, b.high)), xHigh: x(Math.max(b.low, b.high)), yMid: by + barH / 2 } : null;
      const rightEdge = Math.max(left + w, whisker ? whisker.xHigh : 0, zeroX);
      const text = missing ? "—" : (b.note ?? format(v));
      return { x: left, y: by, width: w, height: barH, series: (b.series ?? k) % 6, whisker, text, textX: rightEdge + 6, missing, name: b.name ?? "" };
    });
    const out = { label: row.label, y, labelY: y + h / 2 + 4, bars };
    y += h;
    return out;
  });
  const axisY = Math.max(y, top + 30);
  return { width, height: opts.height ?? axisY + 24, plotLeft, plotRight, axisY, zeroX, ticks: ticks.map((t) => ({ value: t, x: x(t) })), rows: outRows, markerX: opts.marker && finite(opts.marker.value) ? x(opts.marker.value) : null };
}

export function rangeBarChart(rows: RangeRow[], opts: RangeOptions): SVGSVGElement {
  const format = opts.format ?? defaultFormat;
  const m = rangeBarModel(rows, opts);
  const root = svg("svg", { viewBox: `0 0 ${m.width} ${m.height}`, class: "chart chart-range", role: "img", "aria-label": opts.title });
  root.append(svg("title", {}, opts.title));
  for (const tick of m.ticks) {
    root.append(
      svg("line", { x1: tick.x, x2: tick.x, y1: 4, y2: m.axisY, class: "chart-grid" }),
      svg("text", { x: tick.x, y: m.axisY + 16, class: "chart-tick", "text-anchor": "middle" }, format(tick.value)),
    );
  }
  root.append(svg("line", { x1: m.zeroX, x2: m.zeroX, y1: 4, y2: m.axisY, class: "chart-zero" }));
  if (m.markerX !== null && opts.marker) {
    root.append(
      svg("line", { x1: m.markerX, x2: m.markerX, y1: 2, y2: m.axisY, class: "chart-marker" }),
      svg("text", { x: m.markerX, y: m.axisY + 16, class: "chart-marker-label", "text-anchor": "middle" }, opts.marker.label),
    );
  }
  for (const row of m.rows) {
    root.append(svg("text", { x: m.plotLeft - 10, y: row.labelY, class: "chart-label", "text-anchor": "end" }, row.label));
    for (const b of row.bars) {
      const g = svg("g", { class: `chart-range-bar${b.missing ? " is-missing" : ""}` });
      g.append(svg("title", {}, `${row.label}${b.name ? ` · ${b.name}` : ""}: ${b.text}`));
      if (!b.missing) g.append(svg("rect", { x: b.x, y: b.y, width: b.width, height: b.height, rx: 3, class: `chart-bar-rect series-${b.series}` }));
      if (b.whisker) {
        const { xLow, xHigh, yMid } = b.whisker;
        const cap = Math.max(4, b.height / 2 + 2);
        g.append(
          svg("line", { x1: xLow, x2: xHigh, y1: yMid, y2: yMid, class: "chart-whisker" }),
          svg("line", { x1: xLow, x2: xLow, y1: yMid - cap, y2: yMid + cap, class: "chart-whisker" }),
          svg("line", { x1: xHigh, x2: xHigh, y1: yMid - cap, y2: yMid + cap, class: "chart-whisker" }),
        );
      }
      g.append(svg("text", { x: b.textX, y: b.y + b.height / 2 + 4, class: `chart-value${b.missing ? " chart-missing" : ""}` }, b.name && row.bars.length > 1 ? `${b.name} ${b.text}` : b.text));
      root.append(g);
    }
  }
  return root;
}
