// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { frameCentre, spanBox } from "../src/lib/spanGeometry";
import { laneView, movePlayhead, type LaneModel } from "../src/label/spanTimeline";
import type { Span } from "../src/lib/types";

const span = (start: number, end: number, dimension = "motion"): Span => ({ video: 7, dimension, start, end, severity: null });

const model = (overrides: Partial<LaneModel> = {}): LaneModel => ({
  side: "left", video: 7, active: true, frameCount: 36, dimension: "motion", dimensionName: "Visual motion",
  spans: [], selected: null, replaying: null, pending: null, playhead: 0, ...overrides,
});

describe("span geometry", () => {
  it("draws frame k as the cell [k/n, (k+1)/n), so a one-frame span is visible", () => {
    expect(spanBox(0, 0, 4)).toEqual({ left: 0, width: 25 });
    expect(spanBox(2, 3, 4)).toEqual({ left: 50, width: 50 });
    expect(spanBox(3, 9, 4)).toEqual({ left: 75, width: 25 }); // clamped to the grid
    expect(frameCentre(1, 4)).toBe(37.5);
  });
});

describe("a video's span lane", () => {
  it("draws the row's spans in full, other rows' faint and hidden from screen readers", () => {
    const selected = span(9, 17);
    const lane = laneView(model({ spans: [span(0, 2, "smoothness"), selected], selected }), (k) => k);
    const current = lane.querySelector<HTMLElement>(".lane-span.is-current")!;
    expect(current.dataset).toMatchObject({ start: "9", end: "17", selected: "true" });
    expect(current.style.left).toBe("25.000%");
    expect(current.style.width).toBe("25.000%");
    expect(current.getAttribute("aria-label")).toBe("motion: frames 10–18");
    const other = lane.querySelector<HTMLElement>(".lane-span.is-other")!;
    expect(other.getAttribute("aria-hidden")).toBe("true");
    expect(lane.getAttribute("aria-label")).toBe("Left video, spans for Visual motion: 1");
    expect(lane.dataset.active).toBe("true");
  });

  it("shows the pending in-point and moves the playhead without a redraw", () => {
    const lane = laneView(model({ pending: 5, playhead: 0 }), (k) => k);
    expect(lane.querySelector<HTMLElement>(".lane-pending")!.dataset.frame).toBe("5");
    movePlayhead(lane, 35, 36);
    expect(lane.querySelector<HTMLElement>(".lane-head")!.style.left).toBe(`${frameCentre(35, 36).toFixed(3)}%`);
  });

  it("says a video without a known frame count takes no spans", () => {
    const lane = laneView(model({ side: "right", frameCount: null }), (k) => k);
    expect(lane.querySelector(".lane-none")?.textContent).toContain("Right");
    expect(lane.querySelector(".lane-span")).toBeNull();
  });
});
