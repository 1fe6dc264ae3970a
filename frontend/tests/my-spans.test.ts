// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { mySpansEl, spanLines } from "../src/data/mySpans";
import type { HistoryItem, HistorySegment } from "../src/data/types";
import { setLang } from "../src/lib/i18n";

const seg = (video: number, dimension: string, start: number, end: number): HistorySegment => ({ video, dimension, start_frame: start, end_frame: end, severity: null, note: "" });
const video = (id: number) => ({ id, url: null, poster_url: null, status: "ready" });

function item(segments: HistorySegment[] | undefined, left: "a" | "b" = "a"): HistoryItem {
  return {
    assignment: 1, pair: 2, campaign: { id: 1, name: "c" }, prompt: { id: 1, text: "p", action_label: "", initial_image_url: null },
    left, video_a: video(10), video_b: video(20), finished_at: null, editable: false, editable_until: null,
    answers: [{ dimension: "motion", strength: 0, original: null, edits: 0 }, { dimension: "smoothness", strength: 0, original: null, edits: 0 }],
    segments, comments: [],
  };
}

afterEach(() => setLang("en"));

describe("my history's spans", () => {
  it("lists one video's spans per dimension in the answers' order, frames 1-based by start", () => {
    const segments = [seg(10, "smoothness", 29, 32), seg(10, "smoothness", 6, 21), seg(10, "appeal", 0, 0), seg(10, "motion", 3, 4), seg(20, "motion", 0, 1)];
    expect(spanLines(segments, 10, ["motion", "smoothness"])).toEqual([
      { dimension: "motion", ranges: "4–5" },
      { dimension: "smoothness", ranges: "7–22, 30–33" },
      { dimension: "appeal", ranges: "1" },
    ]);
    expect(spanLines(segments, 99, [])).toEqual([]);
  });

  it("shows them per video as I saw it, left first, and nothing without spans", () => {
    const el = mySpansEl(item([seg(10, "smoothness", 6, 21), seg(20, "motion", 0, 1)], "b"), (k) => k.toUpperCase())!;
    const videos = [...el.querySelectorAll<HTMLElement>(".my-spans-video")];
    expect(videos.map((v) => v.dataset.video)).toEqual(["20", "10"]);
    expect(videos[0].textContent).toBe("Left videoMOTION: 1–2");
    expect(videos[1].querySelector("li")?.textContent).toBe("SMOOTHNESS: 7–22");
    expect(mySpansEl(item([]), String)).toBeNull();
    expect(mySpansEl(item(undefined), String)).toBeNull();
  });

  it("speaks the page's language", () => {
    setLang("ja");
    const el = mySpansEl(item([seg(20, "motion", 0, 1)]), String)!;
    expect(el.querySelector(".my-spans-video")?.textContent).toBe("右の動画motion: 1–2");
  });
});
