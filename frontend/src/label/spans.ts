/**
 * Artefact spans (issue #22, docs/segments.md): pure state of the spans an annotator marks on the
 * label page. No DOM: frame math, add-with-merge, nudge, delete and the submit-body shape, so the
 * rules are unit-tested. A span is [start, end], 0-based and end inclusive, on the frame grid of
 * the video's rendition; videos are the real A/B ids, never screen sides.
 */

import type { Span } from "../lib/types";

export type { Span };

/** A video's frame grid, from the lease payload (rendition fps and frame count). */
export interface FrameGrid {
  fps: number;
  frameCount: number;
}

/** The server's limit per (video, dimension); the page refuses the 17th instead of a 400 later. */
export const MAX_SPANS_PER_TRACK = 16;

/** The frame shown at media time t: floor(t * fps + 1e-3) clamped to the grid (docs/segments.md). */
export function frameAt(t: number, grid: FrameGrid): number {
  const frame = Math.floor(t * grid.fps + 1e-3);
  return Math.max(0, Math.min(grid.frameCount - 1, frame));
}

/** Media time range [from, to) that shows frames start..end, for looping a span. */
export function spanTimes(span: Pick<Span, "start" | "end">, grid: FrameGrid): { from: number; to: number } {
  return { from: span.start / grid.fps, to: (span.end + 1) / grid.fps };
}

export function sameTrack(a: Pick<Span, "video" | "dimension">, b: Pick<Span, "video" | "dimension">): boolean {
  return a.video === b.video && a.dimension === b.dimension;
}

/** Order of the stored result: video id, then dimension order, then start frame. */
export function sortSpans(spans: Span[], dimensionOrder: string[] = []): Span[] {
  const rank = (d: string) => {
    const i = dimensionOrder.indexOf(d);
    return i < 0 ? dimensionOrder.length : i;
  };
  return [...spans].sort((a, b) => a.video - b.video || rank(a.dimension) - rank(b.dimension) || a.dimension.localeCompare(b.dimension) || a.start - b.start);
}

export type AddResult = { spans: Span[]; span: Span } | { spans: Span[]; span: null; reason: "full" };

/**
 * Add a span from an in-point and an out-point (either order). A span that shares a frame with
 * spans of the same video and dimension swallows them (the server refuses overlaps); the merged
 * span keeps the highest severity given. Returns the new list and the span as stored.
 */
export function addSpan(spans: Span[], video: number, dimension: string, inFrame: number, outFrame: number, grid: FrameGrid): AddResult {
  const clamp = (f: number) => Math.max(0, Math.min(grid.frameCount - 1, Math.round(f)));
  let start = clamp(Math.min(inFrame, outFrame));
  let end = clamp(Math.max(inFrame, outFrame));
  let severity: Span["severity"] = null;
  const kept: Span[] = [];
  for (const s of spans) {
    if (sameTrack(s, { video, dimension }) && s.start <= end && start <= s.end) {
      start = Math.min(start, s.start);
      end = Math.max(end, s.end);
      if (s.severity !== null && (severity === null || s.severity > severity)) severity = s.severity;
    } else {
      kept.push(s);
    }
  }
  const track = kept.filter((s) => sameTrack(s, { video, dimension }));
  if (track.length >= MAX_SPANS_PER_TRACK) return { spans, span: null, reason: "full" };
  const span: Span = { video, dimension, start, end, severity };
  return { spans: [...kept, span], span };
}

export type Edge = "start" | "end";

/**
 * Move one edge of a span by delta frames. It stays inside the grid, never passes its other edge
 * and never runs into a neighbour on its track (it stops one frame short), so no nudge can make
 * an overlap the server would refuse.
 */
export function nudgeSpan(spans: Span[], target: Span, edge: Edge, delta: number, grid: FrameGrid): { spans: Span[]; span: Span } {
  const i = spans.indexOf(target);
  if (i < 0) return { spans, span: target };
  const others = spans.filter((s, k) => k !== i && sameTrack(s, target));
  const prevEnd = Math.max(-1, ...others.filter((s) => s.end < target.start).map((s) => s.end));
  const nextStart = Math.min(grid.frameCount, ...others.filter((s) => s.start > target.end).map((s) => s.start));
  const span = { ...target };
  if (edge === "start") span.start = Math.max(prevEnd + 1, Math.min(span.end, span.start + delta));
  else span.end = Math.min(nextStart - 1, Math.max(span.start, span.end + delta));
  const next = [...spans];
  next[i] = span;
  return { spans: next, span };
}

export function removeSpan(spans: Span[], target: Span): Span[] {
  return spans.filter((s) => s !== target);
}

/** The spans of one video and dimension, by start frame (what a key cycles through). */
export function trackSpans(spans: Span[], video: number, dimension: string): Span[] {
  return spans.filter((s) => sameTrack(s, { video, dimension })).sort((a, b) => a.start - b.start);
}

/** The span after `current` on its track, wrapping round; the first one when nothing is selected. */
export function cycleSpan(track: Span[], current: Span | null): Span | null {
  if (!track.length) return null;
  const i = current ? track.indexOf(current) : -1;
  return track[(i + 1) % track.length];
}

/**
 * Spans read back from a saved draft, kept only where they still fit the lease (right videos,
 * known dimensions, inside the grid): a stale or hand-edited draft must not block the submit.
 */
export function sanitizeSpans(raw: unknown, grids: Map<number, FrameGrid>, dimensions: string[]): Span[] {
  if (!Array.isArray(raw)) return [];
  const out: Span[] = [];
  for (const r of raw as Partial<Span>[]) {
    const grid = typeof r?.video === "number" ? grids.get(r.video) : undefined;
    if (!grid || typeof r.dimension !== "string" || !dimensions.includes(r.dimension)) continue;
    if (!Number.isInteger(r.start) || !Number.isInteger(r.end)) continue;
    const start = r.start as number;
    const end = r.end as number;
    if (start < 0 || end < start || end >= grid.frameCount) continue;
    const severity = r.severity === 1 || r.severity === 2 || r.severity === 3 ? r.severity : null;
    const overlaps = out.some((s) => sameTrack(s, r as Span) && s.start <= end && start <= s.end);
    if (!overlaps) out.push({ video: r.video as number, dimension: r.dimension, start, end, severity });
  }
  return out;
}

/** The submit body's `segments` (docs/segments.md, wire shape). */
export interface SegmentBody {
  video: number;
  dimension: string;
  start_frame: number;
  end_frame: number;
  severity?: number;
}

export function segmentsBody(spans: Span[], dimensionOrder: string[]): SegmentBody[] {
  return sortSpans(spans, dimensionOrder).map((s) => ({
    video: s.video,
    dimension: s.dimension,
    start_frame: s.start,
    end_frame: s.end,
    ...(s.severity !== null ? { severity: s.severity } : {}),
  }));
}
