/** Shapes of /api/datasets/ (training/api/serializers.py) and the page configuration. */
import type { Dimension } from "../lib/types";

export const ARCHIVE_KINDS = ["zip", "tar", "tar.gz"] as const;
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number];

export interface DatasetFile {
  path: string;
  format: string;
  table: string;
  split: string;
  rows: number;
  size_bytes: number;
  sha256: string;
  url: string;
}

export interface DatasetVersion {
  id: number;
  name: string;
  status: "queued" | "building" | "ready" | "failed" | string;
  progress: { rows_written: number; rows_total: number; fraction: number | null };
  error: string;
  description: { campaign_ids?: number[]; dimension_keys?: string[] } & Record<string, unknown>;
  row_counts: Record<string, Record<string, number>>;
  sha256: string;
  files: DatasetFile[];
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ExportsConfig {
  user: { username: string; is_admin: boolean };
  urls: { login: string; api: string };
  campaigns: { id: number; name: string }[];
  dimensions: Dimension[];
}

export interface CreateBody {
  campaigns: number[];
  /** Empty: every dimension of the chosen campaigns. */
  dimensions: string[];
  name: string;
  min_votes_per_pair: number;
  min_agreement: number;
  test_fraction: number;
}
