/**
 * The answer sheet of one lease: which rows to ask (by protocol), their current values, and the
 * submit body in A/B terms. Pure: no DOM, so the mapping is unit-tested.
 */
import type { Draft } from "../lib/autosave";
import { choiceToStrength, isScore, isStrength, strengthToChoice, videoOn, type Choice } from "../lib/strength";
import { effectiveFps } from "../lib/sync";
import type { Dimension, Lease, ScreenSide, VideoInfo } from "../lib/types";
import { segmentsBody, sanitizeSpans, type FrameGrid } from "./spans";

export type Item =
  | { kind: "strength"; dim: Dimension }
  | { kind: "rating"; dim: Dimension; side: ScreenSide; videoId: number };

export const GROUP_ORDER: Dimension["group"][] = ["appearance", "consistency"];

export function orderedDimensions(dims: Dimension[]): Dimension[] {
  return [...dims].sort(
    (a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) || a.order - b.order || a.key.localeCompare(b.key),
  );
}

export function itemsFor(lease: Lease): Item[] {
  const pairwise = lease.protocol === "pairwise" || lease.protocol === "both";
  const rating = lease.protocol === "rating" || lease.protocol === "both";
  const items: Item[] = [];
  for (const dim of orderedDimensions(lease.dimensions)) {
    if (pairwise) items.push({ kind: "strength", dim });
    if (rating) {
      for (const side of ["left", "right"] as const) items.push({ kind: "rating", dim, side, videoId: videoOn(lease, side).id });
    }
  }
  return items;
}

export function ratingKey(videoId: number, dimKey: string): string {
  return `${videoId}:${dimKey}`;
}

/** A video's frame grid for spans, or null when its rendition has no known frame count (no spans then). */
export function gridOf(video: VideoInfo): FrameGrid | null {
  if (!video.frame_count || video.frame_count < 1) return null;
  return { fps: effectiveFps(video.fps, video.frame_count, video.duration_s), frameCount: video.frame_count };
}

export class AnswerSheet {
  readonly items: Item[];
  /** Frame grid per video id, for the videos that take spans. */
  readonly grids = new Map<number, FrameGrid>();

  constructor(
    readonly lease: Lease,
    readonly draft: Draft,
  ) {
    this.items = itemsFor(lease);
    for (const video of [lease.video_a, lease.video_b]) {
      const grid = gridOf(video);
      if (grid) this.grids.set(video.id, grid);
    }
    this.draft.spans = sanitizeSpans(draft.spans, this.grids, lease.dimensions.map((d) => d.key));
    this.draft.focus = Math.min(Math.max(0, draft.focus | 0), Math.max(0, this.items.length - 1));
  }

  /** The selected position 0..4 of a row (strength rows: screen order; rating rows: score-1), or null. */
  value(index: number): Choice | null {
    const item = this.items[index];
    if (!item) return null;
    if (item.kind === "strength") {
      const s = this.draft.strengths[item.dim.key];
      return isStrength(s) ? strengthToChoice(s, this.lease.left) : null;
    }
    const score = this.draft.ratings[ratingKey(item.videoId, item.dim.key)];
    return isScore(score) ? ((score - 1) as Choice) : null;
  }

  set(index: number, choice: Choice | null): void {
    const item = this.items[index];
    if (!item) return;
    if (item.kind === "strength") {
      if (choice === null) delete this.draft.strengths[item.dim.key];
      else this.draft.strengths[item.dim.key] = choiceToStrength(choice, this.lease.left);
    } else {
      const key = ratingKey(item.videoId, item.dim.key);
      if (choice === null) delete this.draft.ratings[key];
      else this.draft.ratings[key] = choice + 1;
    }
  }

  answered(): number {
    return this.items.filter((_, i) => this.value(i) !== null).length;
  }

  isComplete(): boolean {
    return this.answered() === this.items.length;
  }

  firstMissing(from = 0): number {
    const n = this.items.length;
    for (let k = 0; k < n; k++) {
      const i = (from + k) % n;
      if (this.value(i) === null) return i;
    }
    return -1;
  }

  /** Body for POST /api/assignments/{id}/submit/ (client_key is added by the queue). */
  submitBody(timeSpentMs: number): Record<string, unknown> {
    const answers: { dimension: string; strength: number }[] = [];
    const ratings: { video: number; dimension: string; score: number }[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i];
      const v = this.value(i);
      if (v === null) continue;
      if (item.kind === "strength") answers.push({ dimension: item.dim.key, strength: choiceToStrength(v, this.lease.left) });
      else ratings.push({ video: item.videoId, dimension: item.dim.key, score: v + 1 });
    }
    return {
      video_a: this.lease.video_a.id,
      video_b: this.lease.video_b.id,
      answers,
      ratings,
      segments: segmentsBody(this.draft.spans, orderedDimensions(this.lease.dimensions).map((d) => d.key)),
      time_spent_ms: Math.max(0, Math.min(86_400_000, Math.round(timeSpentMs))),
    };
  }
}
