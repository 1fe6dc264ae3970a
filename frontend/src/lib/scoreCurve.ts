/**
 * AnimeReward's score curves (issue #22): one line per temporal dimension over the clip's time, drawn
 * with lib/chart.ts under a player, with a playhead that follows it. The pure parts (timing, lines,
 * what to say when there is no curve) are separate from the few that touch a <video>.
 *
 * Time: the model samples frames uniformly (media_io.uniform_indices), so relative position p is frame
 * p·(F−1) of the rendition, shown at p·(F−1)/fps seconds; the x axis spans the player's whole timeline
 * [0, duration], so the last point sits one frame before its end, as the last frame does.
 * Styles: scoreCurve.css, @imported by each page's stylesheet (a shared chunk's CSS is not linked).
 */
import { lineChart, lineScale, type LineScale, type LineSeries } from "./chart";
import { h, svg } from "./dom";
import { t, type MessageKey } from "./i18n";

export interface ScoreCurve {
  positions: number[];
  curves: Record<string, (number | null)[]>;
}

export interface CurveDip {
  dimension: string;
  position: number;
  score: number;
  depth: number;
}

/** One video of GET /api/reward-models/promoted/curves/ or of a run's `curves` (training/runs/selectors.py). */
export interface CurveVideo {
  video: number;
  url: string | null;
  prompt: string;
  frame_count: number | null;
  fps: number | null;
  duration_s: number | null;
  scored: boolean;
  scores: Record<string, number> | null;
  curves: ScoreCurve | null;
  dip: CurveDip | null;
}

export interface CurvesAnswer {
  /** null: no model is promoted (the pair page) or registered. */
  model: { id: number; frame_dimensions: string[] } | null;
  videos: CurveVideo[];
  scoring_run?: number | null;
}

export interface ClipTiming {
  /** Length of the player's timeline (s). */
  duration: number;
  /** Time of the last frame (s): where relative position 1 sits. */
  lastFrame: number;
}

export type CurveView =
  | { kind: "curve"; lines: LineSeries[]; timing: ClipTiming; dip: CurveDip | null }
  | { kind: "message"; key: MessageKey };

const positive = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** The clip's timeline from the rendition's frame grid (or its duration alone); null when neither is known. */
export function clipTiming(v: Pick<CurveVideo, "frame_count" | "fps" | "duration_s">): ClipTiming | null {
  if (positive(v.fps) && positive(v.frame_count)) {
    const duration = positive(v.duration_s) ? v.duration_s : v.frame_count / v.fps;
    return { duration, lastFrame: Math.min(duration, (v.frame_count - 1) / v.fps) };
  }
  return positive(v.duration_s) ? { duration: v.duration_s, lastFrame: v.duration_s } : null;
}

/** One line per dimension (in `order`, then any other the curve has), points in seconds; null points are left out. */
export function curveLines(curve: ScoreCurve, lastFrame: number, order: string[], dimName: (key: string) => string): LineSeries[] {
  const dims = [...order.filter((d) => d in curve.curves), ...Object.keys(curve.curves).filter((d) => !order.includes(d))];
  return dims.map((d) => ({
    name: dimName(d),
    points: curve.positions.flatMap((p, k) => {
      const y = curve.curves[d]?.[k];
      return typeof y === "number" && Number.isFinite(y) ? [{ x: p * lastFrame, y }] : [];
    }),
  }));
}

/** What to draw for one video: its curve, or the sentence that says why there is none. */
export function curveView(answer: CurvesAnswer, videoId: number, dimName: (key: string) => string): CurveView {
  if (!answer.model) return { kind: "message", key: "curve.noModel" };
  if (!answer.model.frame_dimensions.length) return { kind: "message", key: "curve.noHeads" };
  const entry = answer.videos.find((v) => v.video === videoId);
  if (!entry || !entry.scored) return { kind: "message", key: "curve.notScored" };
  if (!entry.curves || !entry.curves.positions.length) return { kind: "message", key: "curve.noCurve" };
  // Without a known length the curve still shows its shape, on a 0–1 axis.
  const timing = clipTiming(entry) ?? { duration: 1, lastFrame: 1 };
  return { kind: "curve", lines: curveLines(entry.curves, timing.lastFrame, answer.model.frame_dimensions, dimName), timing, dip: entry.dip };
}

/** x of the playhead at `time` seconds, held inside the plot. */
export function playheadX(scale: LineScale, time: number, timing: ClipTiming): number {
  return scale.px(Math.min(timing.duration, Math.max(0, Number.isFinite(time) ? time : 0)));
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export interface CurvePlot {
  el: HTMLElement;
  /** Moves the playhead (no-op when there is no curve). */
  setTime: (seconds: number) => void;
}

/** The figure for one video: legend and chart with a playhead, or the message. `label` names the video. */
export function curvePlot(view: CurveView, label: string, dimName: (key: string) => string): CurvePlot {
  if (view.kind === "message") {
    return { el: h("figure", { class: "curve-plot", "data-curve": "none" }, h("figcaption", {}, label), h("p", { class: "muted curve-message" }, t(view.key))), setTime: () => undefined };
  }
  const opts = { width: 480, height: 180, xDomain: [0, view.timing.duration] as [number, number], yDomain: [0, 1] as [number, number], xLabel: t("curve.xTime"), format: fmt };
  const scale = lineScale(view.lines, opts);
  // Lines end close together, so their end labels would overprint: the legend names them.
  const chart = lineChart(view.lines.map((l) => ({ ...l, name: "" })), { ...opts, title: t("curve.chart", { video: label }) });
  const x0 = playheadX(scale, 0, view.timing);
  const playhead = svg("line", { x1: x0, x2: x0, y1: scale.pad.top, y2: scale.height - scale.pad.bottom, class: "chart-playhead", "data-time": "0" }, svg("title", {}, t("curve.playhead")));
  chart.append(playhead);
  const dip = view.dip;
  return {
    el: h(
      "figure",
      { class: "curve-plot", "data-curve": "drawn", "data-lines": view.lines.length },
      h("figcaption", {}, label),
      h("div", { class: "legend", "aria-hidden": "true" }, ...view.lines.map((l, i) => h("span", { class: "legend-item" }, h("span", { class: `swatch line-${i % 6}` }), l.name))),
      chart,
      dip ? h("p", { class: "muted curve-dip" }, t("curve.dip", { dimension: dimName(dip.dimension), time: (dip.position * view.timing.lastFrame).toFixed(2), score: dip.score.toFixed(2), depth: dip.depth.toFixed(2) })) : null,
    ),
    setTime: (seconds) => {
      const x = playheadX(scale, seconds, view.timing);
      playhead.setAttribute("x1", String(x));
      playhead.setAttribute("x2", String(x));
      playhead.setAttribute("data-time", seconds.toFixed(3));
    },
  };
}

const followed = new WeakMap<HTMLVideoElement, (seconds: number) => void>();

/** The plot's playhead follows the player (its time updates and seeks). A player follows one plot at a
 * time: the newest; listeners are added once per player, so re-renders do not pile them up. */
export function followPlayer(video: HTMLVideoElement, plot: CurvePlot): void {
  const had = followed.has(video);
  followed.set(video, plot.setTime);
  plot.setTime(video.currentTime || 0);
  if (had) return;
  const update = () => followed.get(video)?.(video.currentTime);
  for (const name of ["timeupdate", "seeked", "loadedmetadata"]) video.addEventListener(name, update);
}
