/**
 * Reward-model comparison: versions as rows, held-out accuracy per dimension as columns, the best
 * value of each column marked (so a regression in one dimension is visible next to a better mean).
 * Also the per-dimension rows of one run's report. Pure: names come in as functions.
 */
import type { DimensionReport, RewardModel, RewardReport, RunMetrics } from "./types";

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Dimensions of any version, the known order first. */
export function comparisonDimensions(models: RewardModel[], known: readonly string[] = []): string[] {
  const seen: string[] = [];
  for (const m of models) for (const d of Object.keys(m.dimensions ?? {})) if (!seen.includes(d)) seen.push(d);
  return [...known.filter((d) => seen.includes(d)), ...seen.filter((d) => !known.includes(d))];
}

export interface ComparisonCell {
  value: number | null;
  best: boolean;
}

export interface ComparisonRow {
  model: RewardModel;
  mean: ComparisonCell;
  cells: ComparisonCell[];
}

function bestOf(values: (number | null)[]): number | null {
  const known = values.filter(finite);
  // A single version is not "best" of anything: only mark when there is something to compare.
  return known.length > 1 ? Math.max(...known) : null;
}

export function comparisonRows(models: RewardModel[], dims: string[]): ComparisonRow[] {
  const columns = dims.map((d) => models.map((m) => (finite(m.dimensions?.[d]?.accuracy) ? (m.dimensions[d].accuracy as number) : null)));
  const means = models.map((m) => (finite(m.accuracy) ? m.accuracy : null));
  const bestCol = columns.map(bestOf);
  const bestMean = bestOf(means);
  return models.map((model, i) => ({
    model,
    mean: { value: means[i], best: means[i] !== null && means[i] === bestMean },
    cells: dims.map((_, j) => ({ value: columns[j][i], best: columns[j][i] !== null && columns[j][i] === bestCol[j] })),
  }));
}

export interface ReportRow {
  dimension: string;
  pairs: number | null;
  accuracy: number | null;
  accuracyTies: number | null;
  spearman: number | null;
  ece: number | null;
  /** "gen 72%" per generator, worst first: where the model is weakest. */
  generators: { name: string; accuracy: number }[];
}

const orNull = (v: unknown): number | null => (finite(v) ? v : null);

function reportRow(dimension: string, r: DimensionReport): ReportRow {
  const generators = Object.entries(r.per_generator ?? {})
    .filter((e): e is [string, number] => finite(e[1]))
    .map(([name, accuracy]) => ({ name, accuracy }))
    .sort((a, b) => a.accuracy - b.accuracy || a.name.localeCompare(b.name));
  return { dimension, pairs: orNull(r.pairs), accuracy: orNull(r.accuracy), accuracyTies: orNull(r.accuracy_ties), spearman: orNull(r.spearman), ece: orNull(r.ece), generators };
}

/** The held-out report of a reward run, one row per dimension (known order first); [] if none. */
export function reportRows(report: RewardReport | undefined, known: readonly string[] = []): ReportRow[] {
  const dims = report?.dimensions ?? {};
  const keys = Object.keys(dims);
  const ordered = [...known.filter((d) => keys.includes(d)), ...keys.filter((d) => !known.includes(d))];
  return ordered.map((d) => reportRow(d, dims[d] ?? {}));
}

export interface GapoRow {
  dimension: string;
  base: number | null;
  trained: number | null;
  delta: number | null;
  /** 95% interval of the delta over held-out prompts (null bounds: fewer than two prompts). */
  low: number | null;
  high: number | null;
  prompts: number | null;
  winRate: number | null;
}

const table = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * A GAPO run's evaluation (base vs trained per dimension), or [] when the metrics have none. The
 * executor stores it under "eval" (executors/gapo.py); a flat evaluation is read as well.
 */
export function gapoRows(metrics: RunMetrics | undefined, known: readonly string[] = []): GapoRow[] {
  if (!metrics) return [];
  const evaluation = table(metrics.eval);
  const source = "base" in evaluation || "trained" in evaluation ? evaluation : (metrics as Record<string, unknown>);
  const base = table(source.base);
  const trained = table(source.trained);
  const delta = table(source.delta);
  const win = table(source.win_rate);
  const intervals = table(source.delta_ci);
  const keys = [...new Set([...Object.keys(base), ...Object.keys(trained)])];
  const ordered = [...known.filter((d) => keys.includes(d)), ...keys.filter((d) => !known.includes(d))];
  return ordered.map((d) => {
    const b = orNull(base[d]);
    const t = orNull(trained[d]);
    const ci = table(intervals[d]);
    return {
      dimension: d, base: b, trained: t, delta: orNull(delta[d]) ?? (b !== null && t !== null ? t - b : null),
      low: orNull(ci.low), high: orNull(ci.high), prompts: orNull(ci.prompts), winRate: orNull(win[d]),
    };
  });
}
