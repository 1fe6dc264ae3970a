/** Shapes of the data pages' JSON (annotation/api/data_views.py, selectors/data_browser.py, pair_pages.py). */
import type { Dimension, Side } from "../lib/types";

export type Tab = "videos" | "pairs" | "judgments" | "flags";

export interface DataConfig {
  page: "browser" | "pair" | "mine";
  user: { username: string; is_reviewer: boolean };
  urls: { home: string; login: string; api: string; data: string; mine: string };
  dimensions: Dimension[];
  pair_id?: number;
  choices?: { campaigns: { id: number; name: string }[]; generators: string[]; annotators: { id: number; username: string }[] };
}

/** DRF's PageNumberPagination envelope. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type Row = Record<string, string | number | boolean | null>;

export interface Comment {
  id: number;
  author: string;
  text: string;
  created_at: string;
}

export interface MediaVideo {
  id: number;
  url: string | null;
  poster_url: string | null;
  status: string;
  generator?: string;
}

export interface Revision {
  from: number;
  to: number;
  at: string;
  by: string;
}

export interface PairAnswer {
  assignment: number;
  annotator: { id: number; username: string };
  paused: boolean;
  a_on_left: boolean;
  time_spent_ms: number | null;
  finished_at: string | null;
  strengths: Record<string, number>;
  history: Record<string, Revision[]>;
}

export interface PairDetail {
  pair: number;
  campaign: { id: number; name: string; status: string };
  is_gold: boolean;
  overlap: number;
  taken: number;
  completed: number;
  prompt: { id: number; text: string; action_label: string; initial_image_url: string | null };
  video_a: MediaVideo;
  video_b: MediaVideo;
  dimensions: string[];
  answers: PairAnswer[];
  adjudications: { dimension: string; strength: number; reviewer: string; note: string; updated_at: string | null }[];
  gold_answers: Record<string, number>;
  comments: Comment[];
  review_url: string;
}

export interface HistoryAnswer {
  dimension: string;
  strength: number;
  /** The first answer, when it was edited since; null when never edited. */
  original: number | null;
  edits: number;
}

/** One of my artefact spans, as docs/segments.md writes it (frames 0-based, end inclusive). */
export interface HistorySegment {
  video: number;
  dimension: string;
  start_frame: number;
  end_frame: number;
  severity: number | null;
  note: string;
}

export interface HistoryItem {
  assignment: number;
  pair: number;
  campaign: { id: number; name: string };
  prompt: { id: number; text: string; action_label: string; initial_image_url: string | null };
  left: Side;
  video_a: MediaVideo;
  video_b: MediaVideo;
  finished_at: string | null;
  editable: boolean;
  editable_until: string | null;
  answers: HistoryAnswer[];
  /** Absent from servers before issue #22. */
  segments?: HistorySegment[];
  comments: Comment[];
}
