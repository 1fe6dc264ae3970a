/**
 * The reviewer's view of a pair's artefact spans (issue #22), pure parts: the response of
 * GET /api/review/pairs/<pair_id>/segments/ (docs/segments.md), one lane per annotator, the
 * dimension filter and the agreement line. segmentsView.ts draws them.
 */

export interface ReviewSpan {
  annotator: string;
  annotator_id: number;
  dimension: string;
  start_frame: number;
  end_frame: number;
  severity: number | null;
}

export interface SpanAgreement {
  /** Mean temporal IoU over annotator pairs where at least one marked a span; null when none did. */
  mean_tiou: number | null;
  annotator_pairs: number;
}

export interface VideoSegments {
  video: number;
  frame_count: number | null;
  fps: number | null;
  spans: ReviewSpan[];
  agreement: Record<string, SpanAgreement>;
}

export interface PairSegments {
  pair?: number;
  videos: VideoSegments[];
  /** Everyone who submitted the pair (a lane also for those who marked nothing). */
  annotators?: { annotator_id: number; annotator: string }[];
  /** The campaign's dimension keys in display order. */
  dimensions?: string[];
}

export interface Lane {
  id: number;
  name: string;
}

/** One lane per annotator, by name: the listed submitters, plus anyone who marked a span. */
export function annotatorLanes(data: PairSegments): Lane[] {
  const lanes = new Map<number, Lane>();
  for (const a of data.annotators ?? []) lanes.set(a.annotator_id, { id: a.annotator_id, name: a.annotator });
  for (const v of data.videos) for (const s of v.spans) if (!lanes.has(s.annotator_id)) lanes.set(s.annotator_id, { id: s.annotator_id, name: s.annotator });
  return [...lanes.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

/** The spans of one annotator, for one dimension or (null) all of them. */
export function laneSpans(video: VideoSegments, annotatorId: number, dimension: string | null): ReviewSpan[] {
  return video.spans
    .filter((s) => s.annotator_id === annotatorId && (dimension === null || s.dimension === dimension))
    .sort((a, b) => a.start_frame - b.start_frame);
}

/** A/B of each video: by the pair's ids when known, else the server's order (A first). */
export function videoSide(video: VideoSegments, index: number, ids: { a?: number; b?: number }): "a" | "b" {
  if (ids.a === video.video) return "a";
  if (ids.b === video.video) return "b";
  return index === 0 ? "a" : "b";
}

/** The dimensions the filter offers: the campaign's order, then any others the spans name. */
export function spanDimensions(data: PairSegments, campaignOrder: string[]): string[] {
  const named = new Set(data.videos.flatMap((v) => [...v.spans.map((s) => s.dimension), ...Object.keys(v.agreement ?? {})]));
  return [...campaignOrder.filter((d) => named.has(d)), ...[...named].filter((d) => !campaignOrder.includes(d)).sort()];
}

export function formatIou(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(2) : "—";
}
