/**
 * Pure data → chart-model functions for the review dashboards (agreement, leaderboard, gold
 * accuracy, review queue). No DOM and no i18n here: names come in as functions, so Vitest can
 * check sorting, missing values and empty reports directly.
 */
import type { RangeRow } from "../lib/chart";
import type { QueueItem } from "./adjudication";

/** Fields every cached quality report carries (selectors/quality_cache.py). */
export interface CachedReport {
  stale?: boolean;
  computed_at?: string | null;
}

export interface AgreementDimension {
  dimension: string;
  n_votes: number;
  n_pairs: number;
  n_annotators: number;
  alpha_ordinal: number | null;
  kappa_direction: { mean: number | null; pairs: { annotators: [number, number]; kappa: number }[] };
}
export interface AgreementReport extends CachedReport {
  campaign: number;
  dimensions: AgreementDimension[];
}

export interface LeaderboardRow {
  rank: number;
  generator: string;
  score: number | null;
  ci_low: number | null;
  ci_high: number | null;
  scaled?: number | null;
  wins: number;
  losses: number;
  ties: number;
  n: number;
  win_rate: number | null;
}
export interface LeaderboardDimension {
  dimension: string;
  n_votes: number;
  rows: LeaderboardRow[];
}
export interface LeaderboardReport extends CachedReport {
  campaign: number;
  level: number;
  n_boot: number;
  dimensions: LeaderboardDimension[];
}

export type AnnotatorState = "active" | "paused" | "override";
export interface AnnotatorQuality {
  id: number;
  username: string;
  status: { state: AnnotatorState | string; reason: string; automatic: boolean };
  assignments: { submitted: number; skipped: number; flagged: number; gold_submitted: number };
  gold: { direction_accuracy: number | null; exact_accuracy?: number | null; n_pairs?: number; n_answers?: number } | null;
  agreement: { direction_agreement: number | null };
}
export interface AnnotatorsReport extends CachedReport {
  campaign: number;
  rules: { min_gold_accuracy: number; min_gold_answers: number };
  annotators: AnnotatorQuality[];
}

/** The review queue's page: the total count and the first items, each with every answer. */
export interface QueueReport {
  count: number;
  results: QueueItem[];
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export const pct = (v: number | null | undefined): string => (finite(v) ? `${Math.round(v * 100)}%` : "—");
export const num = (v: number | null | undefined, digits = 2): string => (finite(v) ? v.toFixed(digits) : "—");

/** True when no dimension has any vote: the friendly empty state instead of a chart of dashes. */
export function agreementIsEmpty(report: AgreementReport | null): boolean {
  return !report || !report.dimensions.some((d) => d.n_votes > 0);
}

/** Alpha (series 0) and mean direction kappa (series 3) per dimension, in the report's order. */
export function agreementRows(report: AgreementReport, name: (key: string) => string, labels = { alpha: "α", kappa: "κ" }): RangeRow[] {
  return report.dimensions.map((d) => ({
    label: name(d.dimension),
    bars: [
      { value: finite(d.alpha_ordinal) ? d.alpha_ordinal : null, series: 0, name: labels.alpha },
      { value: finite(d.kappa_direction?.mean) ? d.kappa_direction.mean : null, series: 3, name: labels.kappa },
    ],
  }));
}

/** Leaderboard rows best first (missing scores last, then by name), each with its CI whisker. */
export function sortLeaderboard(rows: LeaderboardRow[]): LeaderboardRow[] {
  return [...rows].sort((a, b) => {
    const sa = finite(a.score) ? a.score : -Infinity;
    const sb = finite(b.score) ? b.score : -Infinity;
    return sb - sa || a.generator.localeCompare(b.generator);
  });
}

export function leaderboardRows(dimension: LeaderboardDimension | undefined): RangeRow[] {
  if (!dimension) return [];
  return sortLeaderboard(dimension.rows).map((r, i) => ({
    label: `${i + 1}. ${r.generator}`,
    bars: [{ value: finite(r.score) ? r.score : null, low: r.ci_low, high: r.ci_high, series: i === 0 ? 0 : 3, note: `${num(r.score)} [${num(r.ci_low)}, ${num(r.ci_high)}]` }],
  }));
}

export function leaderboardIsEmpty(report: LeaderboardReport | null): boolean {
  return !report || !report.dimensions.some((d) => d.rows.length > 0 && d.n_votes > 0);
}

/** The selected dimension if it has rows, else the first one with rows (or the first at all). */
export function pickDimension(report: LeaderboardReport | null, wanted: string | null): string | null {
  if (!report || !report.dimensions.length) return null;
  if (wanted && report.dimensions.some((d) => d.dimension === wanted)) return wanted;
  return (report.dimensions.find((d) => d.rows.length) ?? report.dimensions[0]).dimension;
}

/** Status marks that do not rely on colour. */
export const STATUS_MARK: Record<string, string> = { active: "●", paused: "‖", override: "★" };

/** Gold direction accuracy per annotator on a fixed 0–1 axis; paused in series 1, override in 4. */
export function goldRows(report: AnnotatorsReport, statusName: (state: string) => string): RangeRow[] {
  return report.annotators.map((a) => {
    const acc = a.gold?.direction_accuracy ?? null;
    const state = a.status?.state ?? "active";
    return {
      label: `${STATUS_MARK[state] ?? "●"} ${a.username}`,
      bars: [{ value: finite(acc) ? acc : null, series: state === "paused" ? 1 : state === "override" ? 4 : 3, note: `${pct(acc)} · ${statusName(state)}` }],
    };
  });
}

export function hasGold(report: AnnotatorsReport | null): boolean {
  return !!report && report.annotators.some((a) => finite(a.gold?.direction_accuracy));
}
