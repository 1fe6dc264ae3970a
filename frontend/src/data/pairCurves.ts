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

export interface PairCurves {
  el: HTMLElement;
  /** Redraw every string in the current language with these video labels (nothing is fetched). */
  relabel: (labels: Record<Slot, string>) => void;
}

export function mountPairCurves(api: Api, ctx: PairCurvesContext): PairCurves {
  const heading = h("h2", { id: "curves-title" });
  const body = h("div", { class: "curve-plots", "aria-live": "polite" });
  const section = h("section", { class: "card pair-curves", "aria-labelledby": "curves-title", "data-curves": "loading" }, heading, body);
  let answer: CurvesAnswer | null = null;
  let failure: string | null = null;
  const draw = () => {
    if (answer) {
      const view = pairCurvesView(answer, ctx);
      heading.textContent = view.title;
      body.replaceChildren(...view.plots.map((p) => p.el));
      // followPlayer hands each player to its new plot (the old one is dropped).
      (["a", "b"] as Slot[]).forEach((slot, i) => {
        const video = ctx.player(slot);
        if (video) followPlayer(video, view.plots[i]);
      });
      return;
    }
    heading.textContent = t("curve.title");
    body.replaceChildren(h("p", { class: "muted" }, failure === null ? t("curve.loading") : t("curve.failed", { detail: failure || t("banner.network") })));
  };
  draw();
  void api.get<CurvesAnswer>(`/api/reward-models/promoted/curves/?videos=${ctx.ids.a},${ctx.ids.b}`).then(
    (loaded) => {
      answer = loaded;
      draw();
      section.dataset.curves = "loaded";
    },
    (exc) => {
      // "" stands for a network failure, said in the language of the moment
      failure = exc instanceof ApiError ? exc.detail : "";
      draw();
      section.dataset.curves = "failed";
    },
  );
  return {
    el: section,
    relabel: (labels) => {
      ctx.labels = labels;
      draw();
    },
  };
}
