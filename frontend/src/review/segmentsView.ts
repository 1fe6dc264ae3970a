/**
 * The span overlay a reviewer sees beside a pair's videos: per video, one lane per annotator with
 * their spans on the frame grid, a dimension filter, and the agreement (mean temporal IoU) per
 * dimension. mountSegmentsOverlay fetches GET /api/review/pairs/<pair_id>/segments/ and redraws
 * on the filter; the parts are pure (segments.ts).
 */
import type { Api } from "../lib/api";
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { pct, spanBox } from "../lib/spanGeometry";
import { annotatorLanes, formatIou, laneSpans, spanDimensions, videoSide, type Lane, type PairSegments, type VideoSegments } from "./segments";

export interface OverlayContext {
  /** Campaign dimension keys in display order. */
  dimensions: string[];
  dimName: (key: string) => string;
  ids: { a?: number; b?: number };
}

/** A dimension's colour in the lanes (and the legend): a hue from its place in the filter's order. */
export function hueOf(dimension: string, dims: string[]): number {
  const i = dims.indexOf(dimension);
  return ((i < 0 ? dims.length : i) * 57 + 200) % 360;
}

function laneEl(video: VideoSegments, lane: Lane, filter: string | null, dims: string[], ctx: OverlayContext): HTMLElement {
  const n = video.frame_count ?? 0;
  const spans = laneSpans(video, lane.id, filter);
  const track = h(
    "span",
    { class: "seg-track" },
    ...spans.map((s) => {
      const box = spanBox(s.start_frame, s.end_frame, n);
      const label = t("review.seg.span", { annotator: lane.name, dimension: ctx.dimName(s.dimension), start: s.start_frame + 1, end: s.end_frame + 1 });
      return h("span", {
        class: "seg-span",
        style: `left:${pct(box.left)};width:${pct(box.width)};--seg-hue:${hueOf(s.dimension, dims)}`,
        "data-dim": s.dimension,
        "data-start": s.start_frame,
        "data-end": s.end_frame,
        role: "img",
        "aria-label": label,
        title: label,
      });
    }),
  );
  return h(
    "div",
    { class: "seg-lane", "data-annotator": lane.name, "data-count": spans.length },
    h("span", { class: "seg-name" }, lane.name),
    n ? track : h("span", { class: "seg-track muted" }, "—"),
    spans.length ? null : h("span", { class: "sr-only" }, t("review.seg.noSpans")),
  );
}

function agreementEl(video: VideoSegments, filter: string | null, dims: string[], ctx: OverlayContext): HTMLElement {
  const shown = dims.filter((d) => (filter === null || d === filter) && video.agreement?.[d]);
  const items = shown.map((d) => {
    const a = video.agreement[d];
    const text =
      typeof a.mean_tiou === "number"
        ? t("review.seg.agreementValue", { dimension: ctx.dimName(d), iou: formatIou(a.mean_tiou), pairs: a.annotator_pairs })
        : t("review.seg.agreementNone", { dimension: ctx.dimName(d) });
    return h("li", { "data-dim": d, "data-iou": formatIou(a.mean_tiou) }, text);
  });
  return h("div", { class: "seg-agreement" }, h("span", { class: "muted" }, t("review.seg.agreement")), items.length ? h("ul", {}, ...items) : h("span", {}, " —"));
}

/** With every dimension shown, which colour is which (of those marked): name and swatch, the lanes' hues. */
function legendEl(marked: string[], dims: string[], ctx: OverlayContext): HTMLElement {
  return h(
    "ul",
    { class: "seg-legend", "aria-label": t("review.seg.legend") },
    ...marked.map((d) => h("li", { "data-dim": d }, h("span", { class: "seg-swatch", style: `--seg-hue:${hueOf(d, dims)}`, "aria-hidden": "true" }), ctx.dimName(d))),
  );
}

/** The overlay for loaded data, with the filter at `filter` (null: every dimension, with a legend). */
export function segmentsView(data: PairSegments, filter: string | null, ctx: OverlayContext): HTMLElement[] {
  const lanes = annotatorLanes(data);
  if (!lanes.length) return [h("p", { class: "muted", "data-empty": "true" }, t("review.seg.none"))];
  const dims = spanDimensions(data, ctx.dimensions);
  const figures = data.videos.map((video, i) => {
    const side = videoSide(video, i, ctx.ids);
    return h(
      "figure",
      { class: "seg-video", "data-video": video.video, "data-side": side },
      h("figcaption", {}, t("review.seg.video", { side: side.toUpperCase(), n: video.frame_count ?? "—" })),
      h("div", { class: "seg-lanes", role: "group", "aria-label": t("review.seg.video", { side: side.toUpperCase(), n: video.frame_count ?? "—" }) }, ...lanes.map((l) => laneEl(video, l, filter, dims, ctx))),
      agreementEl(video, filter, dims, ctx),
    );
  });
  const marked = dims.filter((d) => data.videos.some((v) => v.spans.some((s) => s.dimension === d)));
  return filter === null && marked.length ? [...figures, legendEl(marked, dims, ctx)] : figures;
}

let mounted = 0;

export interface SegmentsOverlay {
  el: HTMLElement;
  /** Redraw every string in the current language (the data is kept, nothing is fetched). */
  relabel: () => void;
}

/** A card that loads the pair's spans and redraws on the dimension filter. */
export function mountSegmentsOverlay(api: Api, pairId: number, ctx: OverlayContext): HTMLElement {
  return createSegmentsOverlay(api, pairId, ctx).el;
}

/** mountSegmentsOverlay, plus a relabel for a page that redraws on a language change. */
export function createSegmentsOverlay(api: Api, pairId: number, ctx: OverlayContext): SegmentsOverlay {
  // The pair page shows one and the adjudication panel opened from it another: ids must differ.
  const uid = `${pairId}-${++mounted}`;
  const body = h("div", { class: "seg-body", "aria-live": "polite" });
  const select = h("select", { id: `seg-dim-${uid}`, class: "select", "data-seg-filter": "true" }) as HTMLSelectElement;
  const title = h("h3", { id: `seg-title-${uid}` });
  const label = h("label", { for: select.id, class: "muted" });
  const el = h(
    "section",
    { class: "seg-overlay", "data-pair": pairId, "data-loaded": "false", "aria-labelledby": `seg-title-${uid}` },
    h("header", { class: "seg-head" }, title, label, select),
    body,
  );
  let data: PairSegments | null = null;
  let failed = false;
  const options = () => {
    const picked = select.value;
    select.replaceChildren(h("option", { value: "" }, t("review.seg.allDimensions")),
      ...(data ? spanDimensions(data, ctx.dimensions).map((d) => h("option", { value: d }, ctx.dimName(d))) : []));
    select.value = picked;
  };
  const draw = () => {
    if (data) body.replaceChildren(...segmentsView(data, select.value || null, ctx));
    else body.replaceChildren(h("p", { class: "muted" }, t(failed ? "review.seg.failed" : "review.seg.loading")));
  };
  const relabel = () => {
    title.textContent = t("review.seg.title");
    label.textContent = t("review.seg.dimension");
    options();
    draw();
  };
  select.addEventListener("change", draw);
  relabel();
  api
    .get<PairSegments>(`/api/review/pairs/${pairId}/segments/`)
    .then((loaded) => {
      data = loaded;
      options();
      draw();
      el.dataset.loaded = "true";
    })
    .catch(() => {
      failed = true;
      draw();
      el.dataset.loaded = "error";
    });
  return { el, relabel };
}
