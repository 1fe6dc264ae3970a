/**
 * My history's artefact spans (issue #22), read-only: per video as I saw it (Left, then Right), one
 * line per dimension with its frame ranges, e.g. "Smoothness: 8–23, 31–34". Frames are shown 1-based,
 * as the label page and the reviewer's overlay show them (the wire is 0-based, docs/segments.md).
 */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import type { HistoryItem, HistorySegment } from "./types";

export interface SpanLine {
  dimension: string;
  /** "8–23, 31–34": the dimension's spans by start frame, 1-based, end inclusive. */
  ranges: string;
}

/** One video's spans as lines, dimensions in `order` (the answers' order), others after by key. */
export function spanLines(segments: HistorySegment[], video: number, order: string[]): SpanLine[] {
  const byDim = new Map<string, HistorySegment[]>();
  for (const s of segments) if (s.video === video) byDim.set(s.dimension, [...(byDim.get(s.dimension) ?? []), s]);
  const rank = (d: string) => (order.includes(d) ? order.indexOf(d) : order.length);
  return [...byDim.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((dimension) => ({
      dimension,
      ranges: byDim.get(dimension)!
        .sort((a, b) => a.start_frame - b.start_frame)
        .map((s) => (s.start_frame === s.end_frame ? `${s.start_frame + 1}` : `${s.start_frame + 1}–${s.end_frame + 1}`))
        .join(", "),
    }));
}

/** The card's span block, or null when I marked none. */
export function mySpansEl(item: HistoryItem, dimName: (key: string) => string): HTMLElement | null {
  const segments = item.segments ?? [];
  if (!segments.length) return null;
  const order = item.answers.map((a) => a.dimension);
  const [left, right] = item.left === "a" ? [item.video_a, item.video_b] : [item.video_b, item.video_a];
  const videos = [[left, t("side.left")], [right, t("side.right")]] as const;
  const blocks = videos.flatMap(([video, side]) => {
    const lines = spanLines(segments, video.id, order);
    if (!lines.length) return [];
    return [h("div", { class: "my-spans-video", "data-video": video.id },
      h("span", { class: "muted" }, t("mine.spansVideo", { side })),
      h("ul", {}, ...lines.map((l) => h("li", { "data-dim": l.dimension, "data-ranges": l.ranges }, `${dimName(l.dimension)}: ${l.ranges}`))))];
  });
  return h("section", { class: "my-spans", "aria-label": t("mine.spans") }, h("h3", {}, t("mine.spans")), ...blocks);
}
