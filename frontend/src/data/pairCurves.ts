/**
 * The pair page's score curves: under each player, the promoted reward model's score over time for
 * that video (one line per temporal dimension, a playhead following the player). The curves come from
 * training's GET /api/reward-models/promoted/curves/?videos=A,B (annotation's pair API cannot serve
 * them: annotation never imports training). Loaded once per page; the drawing is lib/scoreCurve.ts.
 */
import { ApiError, type Api } from "../lib/api";
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { curvePlot, curveView, followPlayer, type CurvesAnswer } from "../lib/scoreCurve";

export type Slot = "a" | "b";

export interface PairCurvesContext {
  ids: Record<Slot, number>;
  labels: Record<Slot, string>;
  dimName: (key: string) => string;
  /** The page's player of a slot, once drawn (null without a rendition). */
  player: (slot: Slot) => HTMLVideoElement | null;
}

/** The section's children for an answer: a title naming the model, then one plot per video. */
export function pairCurvesView(answer: CurvesAnswer, ctx: PairCurvesContext): { title: string; plots: ReturnType<typeof curvePlot>[] } {
  const slots: Slot[] = ["a", "b"];
  return {
    title: answer.model ? t("curve.titleModel", { model: answer.model.id }) : t("curve.title"),
    plots: slots.map((slot) => curvePlot(curveView(answer, ctx.ids[slot], ctx.dimName), ctx.labels[slot], ctx.dimName)),
  };
}

export function mountPairCurves(api: Api, ctx: PairCurvesContext): HTMLElement {
  const heading = h("h2", { id: "curves-title" }, t("curve.title"));
  const body = h("div", { class: "curve-plots", "aria-live": "polite" }, h("p", { class: "muted" }, t("curve.loading")));
  const section = h("section", { class: "card pair-curves", "aria-labelledby": "curves-title", "data-curves": "loading" }, heading, body);
  void api.get<CurvesAnswer>(`/api/reward-models/promoted/curves/?videos=${ctx.ids.a},${ctx.ids.b}`).then(
    (answer) => {
      const view = pairCurvesView(answer, ctx);
      heading.textContent = view.title;
      body.replaceChildren(...view.plots.map((p) => p.el));
      (["a", "b"] as Slot[]).forEach((slot, i) => {
        const video = ctx.player(slot);
        if (video) followPlayer(video, view.plots[i]);
      });
      section.dataset.curves = "loaded";
    },
    (exc) => {
      body.replaceChildren(h("p", { class: "muted" }, t("curve.failed", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") })));
      section.dataset.curves = "failed";
    },
  );
  return section;
}
