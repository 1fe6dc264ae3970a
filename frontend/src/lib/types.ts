/** Shapes of the JSON the Django API returns (annotation/api/serializers.py). */

export type Side = "a" | "b";
export type ScreenSide = "left" | "right";
export type Protocol = "pairwise" | "rating" | "both";

export interface VideoInfo {
  id: number;
  url: string;
  fps: number | null;
  frame_count: number | null;
  width: number | null;
  height: number | null;
  duration_s: number | null;
}

/** An artefact span the annotator marked (label page; docs/segments.md): frames end inclusive. */
export interface Span {
  /** The real video id (A or B), not a screen side. */
  video: number;
  dimension: string;
  start: number;
  end: number;
  severity: 1 | 2 | 3 | null;
}

export interface Dimension {
  key: string;
  group: "appearance" | "consistency";
  name: string;
  definition: string;
  guideline: string;
  order: number;
}

export interface Lease {
  assignment: number;
  campaign: number;
  state: string;
  expires_at: string;
  lease_ttl_seconds: number;
  /** Which video the page must show on the left. */
  left: Side;
  video_a: VideoInfo;
  video_b: VideoInfo;
  prompt: { id: number; text: string; initial_image_url: string; action_label: string };
  protocol: Protocol;
  dimensions: Dimension[];
}

export interface EmptyNext {
  assignment: null;
  reason: "nothing_left" | "all_taken";
  detail: string;
  retry_after_s?: number;
}

export type NextResponse = Lease | EmptyNext;

export interface Progress {
  campaign: number;
  pairs_total: number;
  pairs_complete: number;
  assignments_submitted: number;
  assignments_needed: number;
  mine: { submitted: number; submitted_last_24h: number; skipped: number; flagged: number };
  live_leases?: number;
  judgments_per_dimension?: Record<string, number>;
}

export interface AnnotatorStats {
  annotator: number;
  username: string;
  submitted: number;
  skipped: number;
  flagged: number;
  expired: number;
  median_time_ms: number | null;
  last_finished_at: string | null;
}

export type FlagReason = "broken_video" | "inappropriate" | "other";

/** Server-rendered page configuration (json_script in the template). */
export interface PageConfig {
  campaign: { id: number; name: string; protocol: Protocol; instructions: string };
  user: { username: string };
  urls: { home: string; login: string; api: string };
}
