/**
 * Agreement over time (GET …/quality/agreement/history/): the pure geometry of the small time
 * charts on the review page, one per dimension (alpha) plus the review-queue size. No DOM here,
 * so Vitest checks gaps, single points and empty histories directly; `historyCard.ts` draws it.
 */
import { niceTicks } from "../lib/chart";

export interface HistoryPoint {
  at: string;
  alpha: number | null;
  kappa: number | null;
  n_judgments: number;
  n_disputed: number;
}
export interface HistoryReport {
  campaign: number;
  since: string;
  days: number;
  dimensions: { dimension: string; points: HistoryPoint[] }[];
  queue: { at: string; size: number }[];
}

export interface TimeValue {
  t: number;
  v: number | null;
}

export interface TimeChartOptions {
  width?: number;
  height?: number;
  /** Fixed y range; otherwise from the data, always including 0. */
  domain?: [number, number];
  integer?: boolean;
  /** Shared x range (ms), so small multiples line up; otherwise from the points. */
  timeDomain?: [number, number];
}

export interface TimeChartModel {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  yTicks: { value: number; y: number }[];
  xTicks: { value: number; x: number }[];
  /** Runs of consecutive known values: a missing value (alpha undefined) breaks the line. */
  segments: { x: number; y: number }[][];
  last: { x: number; y: number; value: number } | null;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const HOUR = 3_600_000;

export function historyIsEmpty(report: HistoryReport | null): boolean {
  return !report || !report.queue.length;
}

/** The time range covered by a report (ms), padded by an hour either side of a single snapshot. */
export function historyTimeDomain(report: HistoryReport): [number, number] {
  const times = report.queue.map((q) => Date.parse(q.at)).filter(finite);
  if (!times.length) return [0, HOUR];
  const [lo, hi] = [Math.min(...times), Math.max(...times)];
  return hi > lo ? [lo, hi] : [lo - HOUR, hi + HOUR];
}

export function alphaSeries(report: HistoryReport, dimension: string): TimeValue[] {
  const dim = report.dimensions.find((d) => d.dimension === dimension);
  return (dim?.points ?? []).map((p) => ({ t: Date.parse(p.at), v: finite(p.alpha) ? p.alpha : null }));
}

export function queueSeries(report: HistoryReport): TimeValue[] {
  return report.queue.map((q) => ({ t: Date.parse(q.at), v: q.size }));
}

/** `count` evenly spaced instants across [lo, hi], both ends included. */
export function timeTicks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}

/** Pure geometry of one small time chart. Never produces NaN, even for no points. */
export function timeChartModel(values: TimeValue[], opts: TimeChartOptions = {}): TimeChartModel {
  const width = opts.width ?? 320;
  const height = opts.height ?? 150;
  const plot = { left: 40, right: width - 12, top: 10, bottom: height - 24 };
  const points = values.filter((p) => finite(p.t));
  const known = points.filter((p) => finite(p.v)).map((p) => p.v as number);
  const [t0, t1] = opts.timeDomain ?? (points.length ? [Math.min(...points.map((p) => p.t)), Math.max(...points.map((p) => p.t))] : [0, HOUR]);
  const [tLo, tHi] = t1 > t0 ? [t0, t1] : [t0 - HOUR, t0 + HOUR];
  let yTickValues: number[];
  if (opts.domain) {
    const [lo, hi] = opts.domain;
    yTickValues = niceTicks(lo, hi, 4, opts.integer).filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9);
  } else {
    yTickValues = niceTicks(Math.min(0, ...known), Math.max(opts.integer ? 1 : 0, ...known), 4, opts.integer);
  }
  const [yLo, yHi] = opts.domain ?? [yTickValues[0], yTickValues[yTickValues.length - 1]];
  const ySpan = yHi > yLo ? yHi - yLo : 1;
  const x = (t: number) => plot.left + ((t - tLo) / (tHi - tLo)) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - ((Math.min(yHi, Math.max(yLo, v)) - yLo) / ySpan) * (plot.bottom - plot.top);
  const segments: { x: number; y: number }[][] = [];
  let run: { x: number; y: number }[] = [];
  for (const p of [...points].sort((a, b) => a.t - b.t)) {
    if (finite(p.v)) {
      run.push({ x: x(p.t), y: y(p.v) });
    } else if (run.length) {
      segments.push(run);
      run = [];
    }
  }
  if (run.length) segments.push(run);
  const lastKnown = [...points].sort((a, b) => a.t - b.t).filter((p) => finite(p.v)).pop();
  return {
    width,
    height,
    plot,
    yTicks: yTickValues.map((value) => ({ value, y: y(value) })),
    xTicks: timeTicks(tLo, tHi).map((value) => ({ value, x: x(value) })),
    segments,
    last: lastKnown ? { x: x(lastKnown.t), y: y(lastKnown.v as number), value: lastKnown.v as number } : null,
  };
}

/** The y range of the alpha charts: [0, 1], or [-1, 1] once any alpha is below 0 (worse than chance). */
export function alphaDomain(report: HistoryReport): [number, number] {
  const negative = report.dimensions.some((d) => d.points.some((p) => finite(p.alpha) && p.alpha < 0));
  return negative ? [-1, 1] : [0, 1];
}
