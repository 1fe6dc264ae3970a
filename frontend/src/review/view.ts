/**
 * The whole review page drawn from its state: head, progress stats, the quality cards
 * (qualityCards.ts), judgments per dimension and the annotators table. Pure: state and callbacks
 * in, elements out; main.ts owns the state, the requests and the polling.
 */
import { barChart } from "../lib/chart";
import { h } from "../lib/dom";
import { dimensionText, t, type MessageKey } from "../lib/i18n";
import type { AnnotatorStats, Dimension, Progress } from "../lib/types";
import { agreementCard, goldCard, historyCard, leaderboardCard, queueCard, type ReviewNames } from "./qualityCards";
import type { ReviewActions, ReviewState } from "./state";
import { formatDuration, formatTime, stat } from "./widgets";

export function reviewNames(dimensions: Dimension[]): ReviewNames {
  return {
    dim: (key) => {
      const d = dimensions.find((x) => x.key === key);
      return d ? dimensionText(d).name : key;
    },
    status: (state) => t(`review.status.${state}` as MessageKey),
  };
}

const share = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)}%` : "—");

export function progressStats(progress: Progress | null): HTMLElement {
  const stats = h("div", { class: "stats" });
  if (!progress) return stats;
  stats.append(
    stat("review.pairs", `${progress.pairs_complete} / ${progress.pairs_total}`, share(progress.pairs_complete, progress.pairs_total)),
    stat("review.judged", `${progress.assignments_submitted} / ${progress.assignments_needed}`, share(progress.assignments_submitted, progress.assignments_needed)),
    stat("review.live", String(progress.live_leases ?? 0)),
  );
  return stats;
}

export function perDimensionCard(progress: Progress | null, dimensions: Dimension[]): HTMLElement {
  const section = h("section", { class: "card" }, h("h2", {}, t("review.perDimension")));
  if (!progress) return section;
  const perDim = progress.judgments_per_dimension ?? {};
  // Pink for the appearance group, blue for consistency, as on the labelling page's two sides.
  const data = dimensions.map((d) => ({ label: dimensionText(d).name, value: perDim[d.key] ?? 0, series: d.group === "appearance" ? 0 : 3 }));
  section.append(barChart(data, { title: t("review.chartLabel", { title: t("review.perDimension") }), integer: true }));
  return section;
}

export function annotatorsCard(annotators: AnnotatorStats[]): HTMLElement {
  const section = h("section", { class: "card" }, h("h2", {}, t("review.annotators")));
  if (!annotators.length) {
    section.append(h("p", { class: "muted" }, t("review.none")));
    return section;
  }
  const cols: MessageKey[] = ["review.col.annotator", "review.col.submitted", "review.col.median", "review.col.skipped", "review.col.flagged", "review.col.expired", "review.col.last"];
  const row = (a: AnnotatorStats) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, a.username),
      h("td", { class: "num" }, String(a.submitted)),
      h("td", { class: "num" }, formatDuration(a.median_time_ms)),
      h("td", { class: "num" }, String(a.skipped)),
      h("td", { class: "num" }, String(a.flagged)),
      h("td", { class: "num" }, String(a.expired)),
      h("td", {}, formatTime(a.last_finished_at)),
    );
  section.append(
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table" },
        h("thead", {}, h("tr", {}, ...cols.map((c, i) => h("th", { scope: "col", class: i > 0 && i < 6 ? "num" : "" }, t(c))))),
        h("tbody", {}, ...annotators.map(row)),
      ),
    ),
  );
  return section;
}

/** The page, top to bottom. */
export function renderReview(s: ReviewState, actions: ReviewActions): HTMLElement[] {
  const names = reviewNames(s.dimensions);
  const status = s.error || (s.updatedAt ? t("review.updated", { time: formatTime(s.updatedAt.toISOString()) }) : "");
  return [
    h("div", { class: "review-head" }, h("h1", {}, s.campaignName), h("p", { class: "muted", "aria-live": "polite" }, status)),
    progressStats(s.progress),
    h("div", { class: "dash-grid" }, queueCard(s, names, actions), agreementCard(s, names)),
    historyCard(s, names),
    leaderboardCard(s, names, actions),
    goldCard(s, names),
    perDimensionCard(s.progress, s.dimensions),
    annotatorsCard(s.annotators),
  ];
}
