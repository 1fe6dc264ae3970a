/**
 * The label page's span lanes: one strip per video under the player, showing that video's spans
 * for the highlighted row (other rows' spans faint, on a thin line below), the pending in-point
 * and the playhead. Pure render from a model; the marker (marking.ts) decides what is in it.
 */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { frameCentre, pct, spanBox } from "../lib/spanGeometry";
import type { ScreenSide, Span } from "../lib/types";

export interface LaneModel {
  side: ScreenSide;
  video: number;
  active: boolean;
  /** Null when the rendition has no known frame count: the lane says it takes no spans. */
  frameCount: number | null;
  dimension: string;
  dimensionName: string;
  /** Every span of this video; those of `dimension` are drawn in full, the rest faint. */
  spans: Span[];
  selected: Span | null;
  replaying: Span | null;
  pending: number | null;
  playhead: number;
}

function spanEl(span: Span, m: LaneModel, frameCount: number, name: (key: string) => string): HTMLElement {
  const box = spanBox(span.start, span.end, frameCount);
  const current = span.dimension === m.dimension;
  const cls = ["lane-span", current ? "is-current" : "is-other", span === m.selected ? "is-selected" : "", span === m.replaying ? "is-replaying" : ""];
  return h("span", {
    class: cls.filter(Boolean).join(" "),
    style: `left:${pct(box.left)};width:${pct(box.width)}`,
    "data-video": span.video,
    "data-dim": span.dimension,
    "data-start": span.start,
    "data-end": span.end,
    "data-selected": span === m.selected ? "true" : null,
    role: current ? "img" : null,
    "aria-hidden": current ? null : "true",
    "aria-label": current ? t("span.item", { dimension: name(span.dimension), start: span.start + 1, end: span.end + 1 }) : null,
  });
}

/** One video's lane. Frames are shown 1-based to people, as the frame readout does; data-* stay 0-based. */
export function laneView(m: LaneModel, name: (key: string) => string): HTMLElement {
  const sideName = t(m.side === "left" ? "side.left" : "side.right");
  const current = m.spans.filter((s) => s.dimension === m.dimension);
  const label = h("span", { class: "lane-label" }, sideName, m.active ? h("span", { class: "lane-active" }, ` · ${t("span.active")}`) : null);
  const attrs = {
    class: `lane lane-${m.side}${m.active ? " is-active" : ""}`,
    "data-side": m.side,
    "data-video": m.video,
    "data-active": String(m.active),
    role: "group",
    "aria-label": t("span.lane", { side: sideName, n: current.length, dimension: m.dimensionName }),
  };
  if (!m.frameCount) return h("div", attrs, label, h("span", { class: "lane-track lane-none" }, t("span.noGrid", { side: sideName })));
  const n = m.frameCount;
  const track = h(
    "span",
    { class: "lane-track" },
    ...m.spans.filter((s) => s.dimension !== m.dimension).map((s) => spanEl(s, m, n, name)),
    ...current.map((s) => spanEl(s, m, n, name)),
    m.pending !== null
      ? h("span", { class: "lane-pending", style: `left:${pct(frameCentre(m.pending, n))}`, "data-frame": m.pending, role: "img", "aria-label": t("span.pending", { frame: m.pending + 1 }) })
      : null,
    h("span", { class: "lane-head", style: `left:${pct(frameCentre(m.playhead, n))}`, "aria-hidden": "true" }),
  );
  return h("div", attrs, label, track);
}

/** Move a lane's playhead without redrawing it (runs on every presented frame). */
export function movePlayhead(lane: HTMLElement, frame: number, frameCount: number | null): void {
  const head = lane.querySelector<HTMLElement>(".lane-head");
  if (head && frameCount) head.style.left = pct(frameCentre(frame, frameCount));
}
