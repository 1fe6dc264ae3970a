import { describe, expect, it } from "vitest";
import { emptyDraft } from "../src/lib/autosave";
import { AnswerSheet } from "../src/label/sheet";
import { addSpan, cycleSpan, frameAt, MAX_SPANS_PER_TRACK, nudgeSpan, removeSpan, sanitizeSpans, segmentsBody, spanTimes, trackSpans, type Span } from "../src/label/spans";
import { lease } from "./fixtures";

const GRID = { fps: 12, frameCount: 36 };
const span = (start: number, end: number, extra: Partial<Span> = {}): Span => ({ video: 100, dimension: "motion", start, end, severity: null, ...extra });

describe("span frame math", () => {
  it("maps a media time to the frame shown, floor(t * fps + 1e-3), clamped to the grid", () => {
    expect(frameAt(0, GRID)).toBe(0);
    expect(frameAt(1 / 12 - 1e-5, GRID)).toBe(1); // a hair before the frame boundary counts as the frame
    expect(frameAt(0.5, GRID)).toBe(6);
    expect(frameAt(0.5 + 0.5 / 12, GRID)).toBe(6); // the stepper seeks to mid-frame: same frame
    expect(frameAt(-1, GRID)).toBe(0);
    expect(frameAt(99, GRID)).toBe(35);
  });

  it("loops a span over the media time of its frames, end inclusive", () => {
    expect(spanTimes({ start: 6, end: 11 }, GRID)).toEqual({ from: 0.5, to: 1 });
  });
});

describe("adding spans", () => {
  it("swaps an out-point that comes before the in-point", () => {
    const { span: s } = addSpan([], 100, "motion", 20, 12, GRID);
    expect(s).toEqual(span(12, 20));
  });

  it("clamps to the grid", () => {
    expect(addSpan([], 100, "motion", -3, 50, GRID).span).toEqual(span(0, 35));
  });

  it("merges a new span into every span of the same video and dimension it shares a frame with", () => {
    let spans = addSpan([], 100, "motion", 2, 5, GRID).spans;
    spans = addSpan(spans, 100, "motion", 10, 14, GRID).spans;
    spans = addSpan(spans, 100, "motion", 20, 22, GRID).spans;
    spans = [...spans.slice(0, 1), { ...spans[1], severity: 3 }, spans[2]];
    const result = addSpan(spans, 100, "motion", 5, 12, GRID);
    expect(trackSpans(result.spans, 100, "motion")).toEqual([span(2, 14, { severity: 3 }), span(20, 22)]);
  });

  it("keeps touching-but-separate spans and other tracks apart", () => {
    let spans = addSpan([], 100, "motion", 2, 5, GRID).spans;
    spans = addSpan(spans, 100, "motion", 6, 8, GRID).spans; // adjacent, no shared frame
    spans = addSpan(spans, 200, "motion", 3, 4, GRID).spans; // the other video
    spans = addSpan(spans, 100, "smoothness", 3, 4, GRID).spans; // another dimension
    expect(spans).toHaveLength(4);
  });

  it("refuses a 17th span on one track instead of sending what the server refuses", () => {
    let spans: Span[] = [];
    for (let i = 0; i < MAX_SPANS_PER_TRACK; i++) spans = addSpan(spans, 100, "motion", i * 2, i * 2, { fps: 12, frameCount: 100 }).spans;
    const result = addSpan(spans, 100, "motion", 90, 91, { fps: 12, frameCount: 100 });
    expect(result.span).toBeNull();
    expect(result.spans).toBe(spans);
  });
});

describe("editing spans", () => {
  it("nudges one edge by a frame, never past the other edge or the grid", () => {
    const s = span(0, 3);
    let r = nudgeSpan([s], s, "start", -1, GRID);
    expect(r.span).toEqual(span(0, 3));
    r = nudgeSpan(r.spans, r.span, "start", 1, GRID);
    expect(r.span).toEqual(span(1, 3));
    r = nudgeSpan(r.spans, r.span, "end", -5, GRID);
    expect(r.span).toEqual(span(1, 1));
    const last = span(30, 35);
    expect(nudgeSpan([last], last, "end", 1, GRID).span).toEqual(span(30, 35));
  });

  it("stops a nudge one frame short of a neighbour on the same track", () => {
    const a = span(2, 5);
    const b = span(7, 9);
    expect(nudgeSpan([a, b], a, "end", 1, GRID).span.end).toBe(6);
    const r = nudgeSpan([a, b], a, "end", 1, GRID);
    expect(nudgeSpan(r.spans, r.span, "end", 1, GRID).span.end).toBe(6);
    expect(nudgeSpan([a, b], b, "start", -1, GRID).span.start).toBe(6);
  });

  it("deletes one span and cycles through a track's spans by start frame, wrapping round", () => {
    const a = span(10, 12);
    const b = span(2, 4);
    const c = span(2, 4, { video: 200 });
    const track = trackSpans([a, b, c], 100, "motion");
    expect(track).toEqual([b, a]);
    expect(cycleSpan(track, null)).toBe(b);
    expect(cycleSpan(track, b)).toBe(a);
    expect(cycleSpan(track, a)).toBe(b);
    expect(cycleSpan([], null)).toBeNull();
    expect(removeSpan([a, b, c], b)).toEqual([a, c]);
  });
});

describe("spans in the draft and the submit body", () => {
  it("drops draft spans that no longer fit the lease", () => {
    const grids = new Map([[100, GRID]]);
    const raw = [span(1, 2), span(3, 2), span(1, 36), { ...span(1, 2), video: 999 }, { ...span(1, 2), dimension: "nope" }, span(2, 4), "junk"];
    expect(sanitizeSpans(raw, grids, ["motion"])).toEqual([span(1, 2)]);
    expect(sanitizeSpans("junk", grids, ["motion"])).toEqual([]);
  });

  it("sends segments in the contract's shape, ordered by video id, dimension order, start frame", () => {
    const spans = [span(9, 9, { video: 200 }), span(5, 6, { severity: 2 }), span(1, 2, { dimension: "character" }), span(1, 2)];
    expect(segmentsBody(spans, ["smoothness", "motion", "character"])).toEqual([
      { video: 100, dimension: "motion", start_frame: 1, end_frame: 2 },
      { video: 100, dimension: "motion", start_frame: 5, end_frame: 6, severity: 2 },
      { video: 100, dimension: "character", start_frame: 1, end_frame: 2 },
      { video: 200, dimension: "motion", start_frame: 9, end_frame: 9 },
    ]);
  });

  it("puts the draft's spans into the submit body with the real A/B ids, and none when the video has no frame count", () => {
    const l = lease({ left: "b", video_b: { ...lease().video_b, frame_count: null } });
    const draft = { ...emptyDraft(l.assignment, 0), spans: [span(3, 4), span(3, 4, { video: 200 })] };
    const sheet = new AnswerSheet(l, draft);
    expect(sheet.grids.has(200)).toBe(false);
    expect(sheet.submitBody(0).segments).toEqual([{ video: 100, dimension: "motion", start_frame: 3, end_frame: 4 }]);
  });
});
