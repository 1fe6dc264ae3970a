// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import type { Api } from "../src/lib/api";
import { setLang, t } from "../src/lib/i18n";
import { annotatorLanes, formatIou, laneSpans, spanDimensions, videoSide, type PairSegments } from "../src/review/segments";
import { createSegmentsOverlay, hueOf, segmentsView } from "../src/review/segmentsView";

const span = (annotator: string, id: number, dimension: string, start: number, end: number) => ({ annotator, annotator_id: id, dimension, start_frame: start, end_frame: end, severity: null });

const data: PairSegments = {
  videos: [
    {
      video: 20, frame_count: 40, fps: 12,
      spans: [span("bob", 2, "motion", 10, 19), span("ann", 1, "motion", 12, 21), span("ann", 1, "smoothness", 0, 3)],
      agreement: { motion: { mean_tiou: 0.6363, annotator_pairs: 1 }, smoothness: { mean_tiou: 0, annotator_pairs: 1 } },
    },
    { video: 10, frame_count: 40, fps: 12, spans: [], agreement: {} },
  ],
  annotators: [{ annotator_id: 3, annotator: "cai" }],
};

const ctx = { dimensions: ["smoothness", "motion"], dimName: (k: string) => k.toUpperCase(), ids: { a: 10, b: 20 } };

describe("the reviewer's span overlay", () => {
  it("has one lane per annotator, by name, including submitters who marked nothing", () => {
    expect(annotatorLanes(data).map((l) => l.name)).toEqual(["ann", "bob", "cai"]);
  });

  it("filters a lane's spans by dimension and orders them by start frame", () => {
    expect(laneSpans(data.videos[0], 1, "motion").map((s) => s.start_frame)).toEqual([12]);
    expect(laneSpans(data.videos[0], 1, null).map((s) => s.start_frame)).toEqual([0, 12]);
  });

  it("names videos A/B by the pair's ids, not by the server's order", () => {
    expect(videoSide(data.videos[0], 0, ctx.ids)).toBe("b");
    expect(videoSide(data.videos[1], 1, {})).toBe("b");
    expect(spanDimensions(data, ["smoothness", "motion", "appeal"])).toEqual(["smoothness", "motion"]);
    expect(formatIou(null)).toBe("—");
  });

  it("draws each annotator's spans on the frame grid with the agreement per dimension", () => {
    const [b] = segmentsView(data, "motion", ctx);
    expect(b.dataset.side).toBe("b");
    const lanes = [...b.querySelectorAll<HTMLElement>(".seg-lane")].map((l) => [l.dataset.annotator, l.dataset.count]);
    expect(lanes).toEqual([["ann", "1"], ["bob", "1"], ["cai", "0"]]);
    const bobSpan = b.querySelector<HTMLElement>("[data-annotator=bob] .seg-span")!;
    expect(bobSpan.style.left).toBe("25.000%");
    expect(bobSpan.style.width).toBe("25.000%");
    expect(bobSpan.getAttribute("aria-label")).toBe("bob, MOTION: frames 11–20");
    const agreement = [...b.querySelectorAll<HTMLElement>(".seg-agreement li")].map((li) => [li.dataset.dim, li.dataset.iou]);
    expect(agreement).toEqual([["motion", "0.64"]]);
  });

  it("says so when nobody marked a span", () => {
    const [p] = segmentsView({ videos: [{ video: 1, frame_count: 4, fps: 12, spans: [], agreement: {} }] }, null, ctx);
    expect(p.dataset.empty).toBe("true");
  });

  it("names each dimension's colour, the lanes' own, when every dimension is shown", () => {
    const shown = segmentsView(data, null, ctx);
    const legend = shown[shown.length - 1];
    expect(legend.classList.contains("seg-legend")).toBe(true);
    const items = [...legend.querySelectorAll<HTMLElement>("li")];
    expect(items.map((li) => [li.dataset.dim, li.textContent])).toEqual([["smoothness", "SMOOTHNESS"], ["motion", "MOTION"]]);
    const laneHue = shown[0].querySelector<HTMLElement>(".seg-span[data-dim=motion]")?.style.getPropertyValue("--seg-hue");
    expect(items[1].querySelector<HTMLElement>(".seg-swatch")?.style.getPropertyValue("--seg-hue")).toBe(laneHue);
    expect(laneHue).toBe(String(hueOf("motion", ["smoothness", "motion"])));
    expect(segmentsView(data, "motion", ctx).some((el) => el.classList.contains("seg-legend"))).toBe(false);
  });
});

describe("the overlay card on a language change", () => {
  afterEach(() => setLang("en"));

  it("redraws its strings from the loaded data, keeping the filter", async () => {
    const api = { get: () => Promise.resolve(data) } as unknown as Api;
    const overlay = createSegmentsOverlay(api, 5, ctx);
    await new Promise((r) => setTimeout(r, 0));
    const select = overlay.el.querySelector<HTMLSelectElement>("[data-seg-filter]")!;
    select.value = "motion";
    setLang("ja");
    overlay.relabel();
    expect(overlay.el.querySelector("h3")?.textContent).toBe(t("review.seg.title"));
    expect(select.options[0].textContent).toBe(t("review.seg.allDimensions"));
    expect(select.value).toBe("motion");
    expect(overlay.el.querySelector("figcaption")?.textContent).toBe(t("review.seg.video", { side: "B", n: 40 }));
  });
});
