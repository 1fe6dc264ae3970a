/**
 * /studio/pairs/<id>/ (reviewers and admins): both clips (renditions; generator names behind a
 * toggle so they do not colour an adjudication), every annotator's answer per dimension in A/B
 * words with its edit history, adjudications, gold answers, comments, and "Adjudicate" (key a),
 * which opens the review page's adjudication panel for this pair. Under the clips: the promoted
 * reward model's score curves (pairCurves.ts), then the reviewers' span overlay.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h, isTyping } from "../lib/dom";
import { lang, t } from "../lib/i18n";
import { strengthKey } from "../review/adjudication";
import { AdjudicationPanel, type PanelContext } from "../review/adjudicationPanel";
import { createSegmentsOverlay, type SegmentsOverlay } from "../review/segmentsView";
import { mountPairCurves, type PairCurves, type Slot } from "./pairCurves";
import { queueItemOf } from "./pairItem";
import type { PairAnswer, PairDetail } from "./types";
import { clip, commentsBlock, dataTable, formatTime, keepFocus } from "./widgets";

type Names = { dim: (key: string) => string };
const words = (s: number) => t(strengthKey(s));

function answerCell(answer: PairAnswer, key: string): Node | string {
  const s = answer.strengths[key];
  if (typeof s !== "number") return "—";
  const edits = answer.history[key] ?? [];
  if (!edits.length) return words(s);
  return h("span", { class: "edited-answer", "data-edited": "true" }, words(s), " ",
    h("span", { class: "chip", title: t("pair.originalWas", { words: words(edits[0].from) }) }, t("data.edited")));
}

function historyList(detail: PairDetail, names: Names): HTMLElement {
  const items = detail.answers.flatMap((a) => Object.entries(a.history).flatMap(([key, edits]) => edits.map((e) =>
    h("li", { "data-history": `${a.annotator.username}:${key}` }, h("strong", {}, a.annotator.username), ` · ${names.dim(key)}: `,
      t("pair.change", { from: words(e.from), to: words(e.to) }), h("span", { class: "muted" }, ` · ${formatTime(e.at)}`)))));
  return h("section", { class: "card", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, t("pair.history")),
    items.length ? h("ul", { class: "history-list" }, ...items) : h("p", { class: "muted" }, t("pair.noEdits")));
}

function answersCard(detail: PairDetail, names: Names): HTMLElement {
  const adjudicated = new Map(detail.adjudications.map((a) => [a.dimension, a]));
  const head = [t("data.col.dimension"), ...detail.answers.map((a) => a.annotator.username), t("pair.adjudication"), ...(detail.is_gold ? [t("pair.goldAnswer")] : [])];
  const rows = detail.dimensions.map((key) => [names.dim(key), ...detail.answers.map((a) => answerCell(a, key)),
    adjudicated.has(key) ? `${words(adjudicated.get(key)!.strength)} (${adjudicated.get(key)!.reviewer})` : "—",
    ...(detail.is_gold ? [key in detail.gold_answers ? words(detail.gold_answers[key]) : "—"] : [])]);
  return h("section", { class: "card", "aria-labelledby": "answers-title" }, h("h2", { id: "answers-title" }, t("pair.answers", { n: detail.answers.length })),
    detail.answers.length ? dataTable(head, rows, t("pair.answersCaption")) : h("p", { class: "muted" }, t("pair.noAnswers")));
}

function header(detail: PairDetail, adjudicate: (() => void) | null): HTMLElement {
  return h("div", { class: "pair-head" },
    h("h1", {}, t("pair.title", { id: detail.pair })),
    h("span", { class: "muted" }, `${detail.campaign.name} · ${t("pair.votes", { done: detail.completed, overlap: detail.overlap })}`),
    detail.is_gold ? h("span", { class: "chip", "data-gold": "true" }, t("pair.gold")) : null,
    adjudicate ? h("button", { type: "button", class: "btn btn-primary", id: "adjudicate", onclick: adjudicate }, t("pair.adjudicate"), " ", h("kbd", {}, "a")) : null,
    h("a", { href: detail.review_url, class: "btn btn-ghost" }, t("pair.reviewPage")));
}

export function mountPairPage(root: HTMLElement, pairId: number, api: Api, chrome: { banners: Banners; toasts: Toasts }, names: Names): { render: () => void } {
  let detail: PairDetail | null = null;
  // The panel keeps this object: its dimensions are filled in once the pair has loaded.
  const ctx: PanelContext = { api, dimensions: [], dimName: names.dim, onSaved: () => void load().then(() => chrome.toasts.show(t("pair.adjudicated"))) };
  const panel = new AdjudicationPanel(ctx);
  // Loaded once and kept across re-renders (a comment or an edit redraws the page, not the spans).
  let spans: SegmentsOverlay | null = null;
  let curves: PairCurves | null = null;
  let drawnIn = lang(); // kept cards miss the page's redraw on a language change (data/main.ts): relabel them
  // clip() keeps one <video> per slot across re-renders, so the curves' playheads stay attached.
  const player = (slot: Slot) => root.querySelectorAll<HTMLElement>(".pair-videos > .data-clip")[slot === "a" ? 0 : 1]?.querySelector("video") ?? null;
  const adjudicate = () => {
    if (!detail || detail.is_gold) return;
    ctx.dimensions = detail.dimensions;
    panel.open(queueItemOf(detail), "adjudicate");
  };
  const render = () => {
    if (!detail) return root.replaceChildren(h("p", { class: "empty-state" }, t("data.loading")));
    const d = detail;
    root.dataset.pair = String(d.pair);
    const labels = { a: t("review.adj.videoA"), b: t("review.adj.videoB") };
    const overlay = (spans ??= createSegmentsOverlay(api, d.pair, { dimensions: d.dimensions, dimName: names.dim, ids: { a: d.video_a.id, b: d.video_b.id } }));
    const curvePanel = (curves ??= mountPairCurves(api, { ids: { a: d.video_a.id, b: d.video_b.id }, labels, dimName: names.dim, player }));
    if (drawnIn !== lang()) {
      drawnIn = lang();
      overlay.relabel();
      curvePanel.relabel(labels);
    }
    const generatorsShown = root.querySelector<HTMLDetailsElement>("details.generators")?.open ?? false;
    keepFocus(root, () => root.replaceChildren(
      header(d, d.is_gold ? null : adjudicate),
      h("p", { class: "pair-prompt" }, h("span", { class: "muted" }, `${t("review.adj.prompt")} `), d.prompt.text),
      h("div", { class: "pair-videos" }, clip(d.video_a, t("review.adj.videoA"), "a"), clip(d.video_b, t("review.adj.videoB"), "b")),
      curvePanel.el,
      h("div", { class: "card" }, overlay.el),
      h("details", { class: "generators", open: generatorsShown }, h("summary", {}, t("pair.showGenerators")), h("p", {}, `A: ${d.video_a.generator ?? "—"} · B: ${d.video_b.generator ?? "—"}`)),
      answersCard(d, names), historyList(d, names),
      h("section", { class: "card" }, commentsBlock(api, d.pair, d.comments, (c) => { d.comments = [...d.comments, c]; render(); chrome.toasts.show(t("comments.added")); })),
    ));
  };
  const load = async () => {
    try {
      detail = await api.get<PairDetail>(`/api/pairs/${pairId}/`);
      chrome.banners.clear("load");
    } catch (exc) {
      chrome.banners.show("load", exc instanceof ApiError ? exc.detail : t("banner.network"), "error");
    }
    render();
  };
  document.addEventListener("keydown", (e) => {
    if (e.key !== "a" || isTyping(e.target) || panel.isOpen || e.ctrlKey || e.metaKey || e.altKey) return;
    // The panel focuses its first answer menu at once: without this the same "a" reaches that
    // menu and its type-ahead picks "A much better", a change the reviewer never made.
    e.preventDefault();
    adjudicate();
  });
  render();
  void load();
  return { render };
}
