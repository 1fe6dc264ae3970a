/** Shapes of the campaign settings and import JSON (annotation/api/campaign_serializers.py,
 * annotation/services/imports.py ImportReport, annotation/selectors/imports.py). */
import type { Dimension } from "../lib/types";

export interface AdminConfig {
  page: "campaigns" | "imports";
  user: { username: string };
  urls: { home: string; login: string; api: string; campaigns: string; imports: string };
  dimensions: Dimension[];
  choices: Record<ChoiceField, string[]>;
}

export type ChoiceField = "protocol" | "status" | "selection_policy" | "pairing";

export interface CampaignSettings {
  id: number;
  name: string;
  slug: string;
  protocol: string;
  status: string;
  overlap: number;
  lease_ttl_seconds: number;
  gold_rate: number;
  qualification_gold_count: number;
  min_gold_accuracy: number;
  min_gold_answers: number;
  selection_policy: string;
  adaptive_overlap: boolean;
  adaptive_min_votes: number;
  pairing: string;
  pair_budget_per_prompt: number | null;
  edit_window_minutes: number;
  instructions: string;
  dimensions: Dimension[];
  pairs: number;
  created_at: string;
}

/** Field name -> messages, as the API's 400 `fields` holds them. */
export type FieldErrors = Record<string, string[]>;

export interface ErrorGroup {
  field: string;
  cause: string;
  example: string;
  lines: number[];
  count: number;
}

export interface ImportReport {
  prompts_created: number;
  videos_created: number;
  duplicates_skipped: number;
  duplicates_paired: number;
  pairs_created: number;
  errors: { line: number; field: string; message: string }[];
  error_groups: ErrorGroup[];
  dry_run: boolean;
  rows: number;
  video_ids: number[];
}

export interface ImportFolder {
  root: string;
  path: string;
  relative: string;
  manifests: string[];
}

export interface ImportProgress {
  total: number;
  pending: number;
  ready: number;
  failed: number;
  failures: { video: number; source_name: string; code: string; reason: string }[];
}

export interface Page<T> {
  count: number;
  results: T[];
}
