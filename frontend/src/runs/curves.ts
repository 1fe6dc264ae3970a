/**
 * The run page's score curves (issue #22), for a scoring run and for the reward run whose model it
 * scored with: the videos whose curves dip deepest below their own level, each played beside its
 * curve. Why those: a per-frame head is worth something only if its dips sit where the clip goes
 * wrong, and the deepest dips are where that is easiest to see (or to see that it does not hold).
 */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { curvePlot, curveView, followPlayer, type CurvesAnswer, type CurveVideo } from "../lib/scoreCurve";
import { isFinal } from "./format";
import type { Names } from "./sections";
import type { RunDetail } from "./types";
import { card, empty } from "./widgets";

function curveItem(answer: CurvesAnswer, video: CurveVideo, names: Names): HTMLElement {
  const label = `#${video.video} · ${video.prompt}`;
  const plot = curvePlot(curveView(answer, video.video, names.dim), label, names.dim);
  const player = video.url ? h("video", { src: video.url, controls: true, loop: true, muted: true, playsinline: true, preload: "metadata" }) : null;
  if (player) followPlayer(player, plot);
  return h("article", { class: "curve-item", "data-video": video.video }, player, plot.el);
}

/** null when the run has nothing to plot (not a scoring or reward run, or a reward run that registered no model). */
export function curvesCard(run: RunDetail, names: Names): HTMLElement | null {
  const answer = run.curves;
  if (!answer || !answer.model) return null;
  const title = t("curve.runTitle");
  if (!answer.model.frame_dimensions.length) return card("curves", title, empty(t("curve.noHeads")));
  if (!answer.videos.length) {
    const pending = answer.scoring_run == null || (run.kind === "scoring" && !isFinal(run.state));
    return card("curves", title, empty(pending ? t("curve.runPending") : t("curve.runNone")));
  }
  return card(
    "curves",
    title,
    h("p", { class: "muted help" }, t("curve.runHelp", { n: answer.videos.length }), run.kind === "reward" && answer.scoring_run ? ` ${t("curve.fromRun", { id: answer.scoring_run })}` : ""),
    h("div", { class: "curve-items" }, ...answer.videos.map((v) => curveItem(answer, v, names))),
  );
}
