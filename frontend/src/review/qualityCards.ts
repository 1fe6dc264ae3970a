/**
 * The review page's quality cards, drawn from its state: the review queue, agreement per
 * dimension, agreement over time, the generator leaderboard and gold accuracy per annotator.
 * Pure: state and callbacks in, elements out.
 */
import { h } from "../lib/dom";
import { lang, t, type MessageKey } from "../lib/i18n";
import { queueRows, type QueueRow } from "./adjudication";
import { agreementIsEmpty, agreementRows, goldRows, hasGold, leaderboardIsEmpty, leaderboardRows, num, pct, pickDimension, sortLeaderboard, STATUS_MARK, type AgreementReport, type AnnotatorsReport, type LeaderboardReport } from "./dashboard";
import { historyIsEmpty, type HistoryReport } from "./history";
import { historyContent } from "./historyCard";
import { queuePage, queuePager } from "./queuePager";
import type { ReviewActions, ReviewState } from "./state";
import { card, chart, empty, legend, srTable } from "./widgets";

export const QUEUE_PAGE = 10;

/** Display names: a dimension key as the platform names it, an annotator state in words. */
export interface ReviewNames {
  dim: (key: string) => string;
  status: (state: string) => string;
}

export function agreementCard(s: ReviewState, names: ReviewNames): HTMLElement {
  if (agreementIsEmpty(s.agreement)) return card("agreement", "review.agreement", s.agreement, empty("review.emptyJudgments"));
  const report = s.agreement as AgreementReport;
  const title = t("review.agreement");
  const low = Math.min(0, ...report.dimensions.flatMap((d) => [d.alpha_ordinal ?? 0, d.kappa_direction?.mean ?? 0]));
  return card(
    "agreement",
    "review.agreement",
    report,
    h("p", { class: "muted help" }, t("review.agreementHelp")),
    legend([[0, t("review.alpha")], [3, t("review.kappa")]]),
    chart(agreementRows(report, names.dim, { alpha: "α", kappa: "κ" }), title, { width: 600, labelWidth: 170, domain: [low < 0 ? -1 : 0, 1] }),
    srTable(t("review.dataTable", { title }), [t("review.col.dimension"), t("review.alpha"), t("review.kappa"), t("review.col.votes")],
      report.dimensions.map((d) => [names.dim(d.dimension), num(d.alpha_ordinal), num(d.kappa_direction?.mean), d.n_votes])),
  );
}

export function leaderboardCard(s: ReviewState, names: ReviewNames, actions: ReviewActions): HTMLElement {
  if (leaderboardIsEmpty(s.leaderboard)) return card("leaderboard", "review.leaderboard", s.leaderboard, empty("review.emptyJudgments"));
  const report = s.leaderboard as LeaderboardReport;
  const picked = pickDimension(report, s.lbDimension);
  const dim = report.dimensions.find((d) => d.dimension === picked);
  const select = h("select", { id: "lb-dim", class: "select" }, ...report.dimensions.map((d) => h("option", { value: d.dimension, selected: d.dimension === picked }, names.dim(d.dimension))));
  select.addEventListener("change", () => actions.pickLeaderboardDimension(select.value));
  const chartTitle = `${t("review.leaderboard")} · ${names.dim(picked ?? "")}`;
  const rows = sortLeaderboard(dim?.rows ?? []);
  return card(
    "leaderboard",
    "review.leaderboard",
    report,
    h("div", { class: "dash-tools" }, h("label", { for: "lb-dim" }, t("review.dimension")), select, h("span", { class: "muted help" }, t("review.leaderboardHelp", { level: String(Math.round(report.level * 100)) }))),
    rows.length ? chart(leaderboardRows(dim), chartTitle) : empty("review.emptyJudgments"),
    srTable(t("review.dataTable", { title: chartTitle }), [t("review.col.generator"), t("review.col.score"), t("review.col.ci"), t("review.col.record")],
      rows.map((r) => [r.generator, num(r.score), `${num(r.ci_low)} – ${num(r.ci_high)}`, `${r.wins} / ${r.losses} / ${r.ties}`])),
  );
}

function goldTable(report: AnnotatorsReport, names: ReviewNames): HTMLElement {
  const cols: MessageKey[] = ["review.col.annotator", "review.col.status", "review.col.gold", "review.col.agreement", "review.col.submitted"];
  const row = (a: AnnotatorsReport["annotators"][number]) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, a.username),
      h("td", {}, h("span", { class: `status status-${a.status.state}` }, `${STATUS_MARK[a.status.state] ?? "●"} ${names.status(a.status.state)}`)),
      h("td", { class: "num" }, pct(a.gold?.direction_accuracy)),
      h("td", { class: "num" }, pct(a.agreement?.direction_agreement)),
      h("td", { class: "num" }, String(a.assignments?.submitted ?? 0)),
    );
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table table-compact" },
      h("thead", {}, h("tr", {}, ...cols.map((c, i) => h("th", { scope: "col", class: i > 1 ? "num" : "" }, t(c))))),
      h("tbody", {}, ...report.annotators.map(row)),
    ),
  );
}

export function goldCard(s: ReviewState, names: ReviewNames): HTMLElement {
  const report = s.quality;
  if (!report || !report.annotators.length) return card("gold", "review.gold", report, empty("review.emptyJudgments"));
  const min = report.rules.min_gold_accuracy;
  const marks: [number, string][] = [[3, `${STATUS_MARK.active} ${names.status("active")}`], [1, `${STATUS_MARK.paused} ${names.status("paused")}`], [4, `${STATUS_MARK.override} ${names.status("override")}`]];
  return card(
    "gold",
    "review.gold",
    report,
    h("p", { class: "muted help" }, t("review.goldHelp", { min: pct(min) })),
    legend(marks),
    hasGold(report) ? chart(goldRows(report, names.status), t("review.gold"), { domain: [0, 1], format: (v) => `${Math.round(v * 100)}%`, marker: { value: min, label: `▲ ${pct(min)}` } }) : empty("review.emptyGold"),
    goldTable(report, names),
  );
}

function queueItem({ item, adjudicated }: QueueRow, names: ReviewNames, actions: ReviewActions): HTMLElement {
  const id = `queue-row-${item.pair}`;
  const dispute = (d: QueueRow["item"]["disputes"][number]) => {
    const reason = t(`review.reason.${d.reason}` as MessageKey);
    return h("span", { class: `chip dispute dispute-${d.reason}`, title: `${names.dim(d.dimension)} · ${reason}` }, names.dim(d.dimension), h("span", { class: "sr-only" }, ` · ${reason}`));
  };
  return h(
    "li",
    { class: adjudicated ? "is-adjudicated" : "" },
    h(
      "button",
      { type: "button", class: "queue-row", id, "data-pair": String(item.pair), "data-adjudicated": adjudicated ? "true" : null, "aria-haspopup": "dialog", onclick: () => actions.openQueueItem(item, id) },
      h("span", { class: "queue-pair" }, t("review.queuePair", { id: String(item.pair) }), adjudicated ? h("span", { class: "badge-adjudicated" }, t("review.adj.done")) : null),
      item.prompt?.text ? h("span", { class: "queue-prompt muted" }, item.prompt.text) : null,
      h("span", { class: "queue-dims" }, ...item.disputes.map(dispute)),
    ),
  );
}

export function queueCard(s: ReviewState, names: ReviewNames, actions: ReviewActions): HTMLElement {
  const count = s.queue?.count ?? 0;
  const rows = queueRows(s.queue?.results ?? [], s.settled);
  return card(
    "queue",
    "review.queue",
    null,
    h("div", { class: "queue-stat" }, h("span", { class: "stat-value", "data-queue-count": String(count) }, String(count)), h("span", { class: "muted" }, t("review.queueCount"))),
    rows.length ? h("p", { class: "muted help queue-legend" }, `⇄ ${t("review.reason.opposite_directions")}   ↔ ${t("review.reason.spread")}\n${t("review.adj.openHint")}`) : null,
    rows.length ? h("ol", { class: "queue-list", start: s.queueOffset + 1 }, ...rows.map((r) => queueItem(r, names, actions))) : empty("review.queueEmpty"),
    queuePager(queuePage(count, s.queueOffset, s.queue?.results.length ?? 0, QUEUE_PAGE), actions.showQueuePage),
  );
}

export function historyCard(s: ReviewState, names: ReviewNames): HTMLElement {
  if (historyIsEmpty(s.history)) return card("history", "review.history", null, empty("review.historyEmpty"));
  const report = s.history as HistoryReport;
  const short = new Intl.DateTimeFormat(lang(), { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return card(
    "history",
    "review.history",
    null,
    h("p", { class: "muted help" }, t("review.historyHelp", { days: String(report.days) })),
    ...historyContent(report, {
      dimName: names.dim,
      formatTime: (ms) => short.format(new Date(ms)),
      chartTitle: (title) => t("review.lineLabel", { title }),
      queueTitle: t("review.historyQueue"),
      alphaName: "α",
      tableCaption: t("review.dataTable", { title: t("review.history") }),
      colDimension: t("review.col.dimension"),
      colLatest: t("review.col.latest"),
      colSnapshots: t("review.col.snapshots"),
    }),
  );
}
