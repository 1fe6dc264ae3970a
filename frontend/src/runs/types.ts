/** Shapes of the run, reward-model and retrain-policy JSON (training/api/run_serializers.py). */
import type { CurvesAnswer } from "../lib/scoreCurve";
import type { Dimension } from "../lib/types";

export const RUN_KINDS = ["reward", "gapo", "scoring"] as const;
export const RUN_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export type RunState = (typeof RUN_STATES)[number];

export interface RewardModelBrief {
  id: number;
  accuracy: number | null;
  promoted: boolean;
  promotion_note: string;
  dataset_version: number;
  created_at: string;
}

export interface Run {
  id: number;
  kind: RunKind | string;
  state: RunState | string;
  progress: number;
  step: number;
  total_steps: number;
  attempt: number;
  worker: string;
  heartbeat_at: string | null;
  cancel_requested: boolean;
  trigger: string;
  config: Record<string, unknown>;
  options: Record<string, unknown>;
  dataset_version: number | null;
  reward_model: number | null;
  parent: number | null;
  metrics: RunMetrics;
  error: string;
  checkpoint_uri: string;
  reward_model_version: RewardModelBrief | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  page_url: string;
}

export interface MetricPoint {
  step: number;
  values: Record<string, number>;
}

export interface RunDetail extends Run {
  series: MetricPoint[];
  log_tail: string;
  samples: Record<string, unknown>[];
  /** Scoring and reward runs: score curves of the deepest-dip videos; null for other runs (older servers: absent). */
  curves?: CurvesAnswer | null;
}

/** One dimension of a reward run's held-out report (training/reward/evaluate.py). */
export interface DimensionReport {
  pairs?: number;
  ties?: number;
  accuracy?: number | null;
  accuracy_ties?: number | null;
  spearman?: number | null;
  ece?: number | null;
  per_generator?: Record<string, number>;
}

export interface RewardReport {
  pairs?: number;
  dimensions?: Record<string, DimensionReport>;
  overall?: { accuracy?: number | null; accuracy_ties?: number | null };
}

export interface Promotion {
  promoted?: boolean;
  compared_with?: number | null;
  promoted_accuracy?: number | null;
  note?: string;
  /** The bar: the best accuracy of the models promoted so far on this run's test split. */
  bar?: { accuracy?: number | null; model?: number | null; epsilon?: number | null; measured?: Record<string, number | null> };
}

/** Final metrics: a reward run's report and promotion; a GAPO run's base/trained evaluation. */
export interface RunMetrics {
  report?: RewardReport;
  accuracy?: number | null;
  promotion?: Promotion;
  /** GAPO: the held-out evaluation (executors/gapo.py), with `samples` there being a count. */
  eval?: { base?: Record<string, number>; trained?: Record<string, number>; delta?: Record<string, number>; win_rate?: Record<string, number>; [key: string]: unknown };
  base?: Record<string, number>;
  trained?: Record<string, number>;
  delta?: Record<string, number>;
  win_rate?: Record<string, number>;
  [key: string]: unknown;
}

export interface RewardModel {
  id: number;
  run: number;
  dataset_version: number;
  accuracy: number | null;
  dimensions: Record<string, { accuracy: number | null; accuracy_ties: number | null; spearman: number | null; pairs: number | null }>;
  promoted: boolean;
  promoted_at: string | null;
  promotion_note: string;
  created_at: string;
}

export interface RetrainPolicy {
  id: number;
  name: string;
  enabled: boolean;
  campaign_ids: number[];
  min_new_judgments: number;
  last_checked_at: string | null;
  /** Failed runs in a row; `until`: no scheduled run before then (null: not waiting). */
  backoff?: { failures: number; until: string | null; reason: string };
}

/** DRF's LimitOffsetPagination envelope. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface RunsConfig {
  user: { username: string; is_admin: boolean };
  urls: { home: string; login: string; api: string; runs: string };
  page: "runs" | "run";
  run_id?: number;
  dimensions?: Dimension[];
}
