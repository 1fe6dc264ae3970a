/**
 * A run's metric series ([{step, values}]) -> line-chart data for lib/chart.ts. Trainers log flat
 * keys: "loss", "lr", "seconds", per dimension "<dim>/loss" and "<dim>/accuracy" (reward runs),
 * "implicit_acc", "mean_gap", ... (GAPO). Missing or non-finite values are skipped, never drawn as 0.
 */
import type { LineSeries } from "../lib/chart";
import type { MetricPoint } from "./types";

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Whole-run metrics that belong on the accuracy chart next to the per-dimension ones. */
export const OVERALL_ACCURACY_KEYS = ["accuracy", "implicit_acc"] as const;
/** Whole-run metrics of the loss chart. */
export const OVERALL_LOSS_KEYS = ["loss", "mean_dpo"] as const;

export function pointsOf(series: MetricPoint[], key: string): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const p of series) {
    const y = p.values?.[key];
    if (finite(p.step) && finite(y)) out.push({ x: p.step, y });
  }
  return out;
}

/**
 * Dimensions that appear as "<dim>/<metric>" keys: the known order first (the platform's
 * dimensions), then any other in first-seen order.
 */
export function seriesDimensions(series: MetricPoint[], known: readonly string[] = []): string[] {
  const seen: string[] = [];
  for (const p of series) {
    for (const key of Object.keys(p.values ?? {})) {
      const slash = key.indexOf("/");
      if (slash > 0) {
        const dim = key.slice(0, slash);
        if (!seen.includes(dim)) seen.push(dim);
      }
    }
  }
  return [...known.filter((d) => seen.includes(d)), ...seen.filter((d) => !known.includes(d))];
}

/** One line per dimension for "<dim>/<metric>"; dimensions without a single value are left out. */
export function perDimensionLines(series: MetricPoint[], metric: string, dims: string[], name: (dim: string) => string = (d) => d): LineSeries[] {
  return dims.map((d) => ({ name: name(d), points: pointsOf(series, `${d}/${metric}`) })).filter((s) => s.points.length > 0);
}

/** The whole-run lines among `keys` that have values. */
export function overallLines(series: MetricPoint[], keys: readonly string[], name: (key: string) => string = (k) => k): LineSeries[] {
  return keys.map((k) => ({ name: name(k), points: pointsOf(series, k) })).filter((s) => s.points.length > 0);
}

/** The newest value of every key (a key missing in the last point keeps its last known value). */
export function latestValues(series: MetricPoint[]): Record<string, { step: number; value: number }> {
  const out: Record<string, { step: number; value: number }> = {};
  for (const p of series) {
    for (const [key, value] of Object.entries(p.values ?? {})) {
      if (finite(value) && (!out[key] || p.step >= out[key].step)) out[key] = { step: p.step, value };
    }
  }
  return out;
}
