/** Pure: the pair page's data as the review page's adjudication panel takes it (a QueueItem). */
import type { QueueItem } from "../review/adjudication";
import type { PairDetail } from "./types";

/** Dimensions where someone said A and someone else said B (the review queue's first reason). */
export function opposedDimensions(detail: Pick<PairDetail, "answers" | "dimensions">): string[] {
  return detail.dimensions.filter((key) => {
    const strengths = detail.answers.map((a) => a.strengths[key]).filter((s): s is number => typeof s === "number");
    return strengths.some((s) => s < 0) && strengths.some((s) => s > 0);
  });
}

export function queueItemOf(detail: PairDetail): QueueItem {
  const video = (v: PairDetail["video_a"]) => (v.url ? { id: v.id, url: v.url } : undefined);
  return {
    pair: detail.pair,
    score: 0,
    disputes: opposedDimensions(detail).map((dimension) => ({ dimension, reason: "opposite_directions", std: 0 })),
    video_a: video(detail.video_a),
    video_b: video(detail.video_b),
    prompt: { id: detail.prompt.id, text: detail.prompt.text },
    answers: detail.answers.map((a) => ({ assignment: a.assignment, annotator: a.annotator, paused: a.paused, a_on_left: a.a_on_left, time_spent_ms: a.time_spent_ms, strengths: a.strengths })),
    adjudications: detail.adjudications.map((a) => ({ ...a, updated_at: a.updated_at ?? undefined })),
  };
}
