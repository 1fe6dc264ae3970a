/**
 * Entry of /review/<campaign_id>/ (reviewers): campaign progress, judgments per dimension as a
 * bar chart, and the annotators table; then the quality dashboards (agreement, generator
 * leaderboard with CI whiskers, gold accuracy per annotator, review queue, agreement over time).
 * A queue row opens the adjudication panel (Enter opens, Esc closes). Polls every 15 s while
 * visible and backs off while hidden.
 */
import "./review.css";
import { ApiError, browserApi } from "../lib/api";
import { barChart, rangeBarChart, type RangeOptions, type RangeRow } from "../lib/chart";
import { languageSwitcher, readConfig, translateDom } from "../lib/chrome";
import { h } from "../lib/dom";
import { dimensionText, initLang, lang, onLangChange, t, type MessageKey } from "../lib/i18n";
import type { AnnotatorStats, Dimension, PageConfig, Progress } from "../lib/types";
import { queueRows, type QueueItem, type Settled } from "./adjudication";
import { clampOffset, queuePage, queuePager } from "./queuePager";
import { AdjudicationPanel } from "./adjudicationPanel";
import { historyIsEmpty, type HistoryReport } from "./history";
import { historyContent } from "./historyCard";
import {
  agreementIsEmpty,
  agreementRows,
  goldRows,
  hasGold,
  leaderboardIsEmpty,
  leaderboardRows,
  num,
  pct,
  pickDimension,
  sortLeaderboard,
  STATUS_MARK,
  type AgreementReport,
  type AnnotatorsReport,
  type CachedReport,
  type LeaderboardReport,
  type QueueReport,
} from "./dashboard";

interface ReviewConfig extends PageConfig {
  dimensions: Dimension[];
}

const POLL_MS = 15_000;
const QUEUE_PAGE = 10;
// Snapshots are hourly and the history is ~250 kB: fetch it on load and every 10 min, not every poll.
const HISTORY_REFRESH_MS = 10 * 60_000;
const MAX_HIDDEN_POLL_MS = 5 * 60_000;

function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function formatTime(iso: string | null): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

function stat(label: MessageKey, value: string, sub?: string): HTMLElement {
  return h("div", { class: "stat" }, h("span", { class: "stat-label" }, t(label)), h("span", { class: "stat-value" }, value), sub ? h("span", { class: "stat-sub" }, sub) : null);
}

/** A visually hidden table carrying a chart's numbers for screen readers. */
function srTable(caption: string, head: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    "table",
    { class: "sr-only" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, String(c)) : h("td", {}, String(c))))))),
  );
}

/** "updated <time>" plus a subtle "refreshing" badge while the server recomputes a stale report. */
function freshness(report: CachedReport | null): HTMLElement | null {
  if (!report) return null;
  return h(
    "span",
    { class: "freshness" },
    report.computed_at ? t("review.updatedShort", { time: formatTime(report.computed_at) }) : "",
    report.stale ? h("span", { class: "badge-refreshing", role: "status" }, t("review.refreshing")) : null,
  );
}

function card(id: string, title: MessageKey, report: CachedReport | null, ...children: (Node | null)[]): HTMLElement {
  return h(
    "section",
    { class: `card dash dash-${id}`, "aria-labelledby": `dash-${id}-title`, "data-dash": id },
    h("div", { class: "dash-head" }, h("h2", { id: `dash-${id}-title` }, t(title)), freshness(report)),
    ...children,
  );
}

function legend(items: [number, string][]): HTMLElement {
  return h("div", { class: "legend", "aria-hidden": "true" }, ...items.map(([series, label]) => h("span", { class: "legend-item" }, h("span", { class: `swatch series-${series}` }), label)));
}

function empty(text: MessageKey): HTMLElement {
  return h("p", { class: "empty-state" }, t(text));
}

function chart(rows: RangeRow[], title: string, extra: Partial<RangeOptions> = {}): SVGSVGElement {
  return rangeBarChart(rows, { title: t("review.chartLabel", { title }), ...extra });
}

function boot(root: HTMLElement): void {
  initLang();
  const config = readConfig<ReviewConfig>("studio-config");
  const api = browserApi(config.urls.login);
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(languageSwitcher());
  let progress: Progress | null = null;
  let annotators: AnnotatorStats[] = [];
  let updatedAt: Date | null = null;
  let error = "";
  let hiddenPolls = 0;
  let agreement: AgreementReport | null = null;
  let leaderboard: LeaderboardReport | null = null;
  let quality: AnnotatorsReport | null = null;
  let queue: QueueReport | null = null;
  let queueOffset = 0;
  let lbDimension: string | null = null;
  let history: HistoryReport | null = null;
  let historyAt = 0;
  // Pairs adjudicated on this page: their rows stay, marked, after the server drops them.
  const settled: Settled[] = [];
  const dimName = (key: string) => {
    const d = config.dimensions.find((x) => x.key === key);
    return d ? dimensionText(d).name : key;
  };
  const statusName = (state: string) => t(`review.status.${state}` as MessageKey);

  const agreementCard = () => {
    const title = t("review.agreement");
    if (agreementIsEmpty(agreement)) return card("agreement", "review.agreement", agreement, empty("review.emptyJudgments"));
    const report = agreement as AgreementReport;
    const labels = { alpha: "α", kappa: "κ" };
    return card(
      "agreement",
      "review.agreement",
      report,
      h("p", { class: "muted help" }, t("review.agreementHelp")),
      legend([[0, t("review.alpha")], [3, t("review.kappa")]]),
      chart(agreementRows(report, dimName, labels), title, { width: 600, labelWidth: 170, domain: [Math.min(0, ...report.dimensions.flatMap((d) => [d.alpha_ordinal ?? 0, d.kappa_direction?.mean ?? 0])) < 0 ? -1 : 0, 1] }),
      srTable(t("review.dataTable", { title }), [t("review.col.dimension"), t("review.alpha"), t("review.kappa"), t("review.col.votes")],
        report.dimensions.map((d) => [dimName(d.dimension), num(d.alpha_ordinal), num(d.kappa_direction?.mean), d.n_votes])),
    );
  };

  const leaderboardCard = () => {
    const title = t("review.leaderboard");
    if (leaderboardIsEmpty(leaderboard)) return card("leaderboard", "review.leaderboard", leaderboard, empty("review.emptyJudgments"));
    const report = leaderboard as LeaderboardReport;
    lbDimension = pickDimension(report, lbDimension);
    const dim = report.dimensions.find((d) => d.dimension === lbDimension);
    const select = h("select", { id: "lb-dim", class: "select" }, ...report.dimensions.map((d) => h("option", { value: d.dimension, selected: d.dimension === lbDimension }, dimName(d.dimension))));
    select.addEventListener("change", () => {
      lbDimension = select.value;
      render();
    });
    const chartTitle = `${title} · ${dimName(lbDimension ?? "")}`;
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
  };

  const goldCard = () => {
    const title = t("review.gold");
    if (!quality || !quality.annotators.length) return card("gold", "review.gold", quality, empty("review.emptyJudgments"));
    const report = quality;
    return card(
      "gold",
      "review.gold",
      report,
      h("p", { class: "muted help" }, t("review.goldHelp", { min: pct(report.rules.min_gold_accuracy) })),
      legend([[3, `${STATUS_MARK.active} ${statusName("active")}`], [1, `${STATUS_MARK.paused} ${statusName("paused")}`], [4, `${STATUS_MARK.override} ${statusName("override")}`]]),
      hasGold(report) ? chart(goldRows(report, statusName), title, { domain: [0, 1], format: (v) => `${Math.round(v * 100)}%`, marker: { value: report.rules.min_gold_accuracy, label: `▲ ${pct(report.rules.min_gold_accuracy)}` } }) : empty("review.emptyGold"),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "table table-compact" },
          h("thead", {}, h("tr", {}, ...(["review.col.annotator", "review.col.status", "review.col.gold", "review.col.agreement", "review.col.submitted"] as MessageKey[]).map((c, i) => h("th", { scope: "col", class: i > 1 ? "num" : "" }, t(c))))),
          h(
            "tbody",
            {},
            ...report.annotators.map((a) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, a.username),
                h("td", {}, h("span", { class: `status status-${a.status.state}` }, `${STATUS_MARK[a.status.state] ?? "●"} ${statusName(a.status.state)}`)),
                h("td", { class: "num" }, pct(a.gold?.direction_accuracy)),
                h("td", { class: "num" }, pct(a.agreement?.direction_agreement)),
                h("td", { class: "num" }, String(a.assignments?.submitted ?? 0)),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const queueCard = () => {
    const count = queue?.count ?? 0;
    const rows = queueRows(queue?.results ?? [], settled);
    const row = ({ item, adjudicated }: { item: QueueItem; adjudicated: unknown[] | null }) =>
      h(
        "li",
        { class: adjudicated ? "is-adjudicated" : "" },
        h(
          "button",
          { type: "button", class: "queue-row", id: `queue-row-${item.pair}`, "data-pair": String(item.pair), "data-adjudicated": adjudicated ? "true" : null, "aria-haspopup": "dialog", onclick: () => panel.open(item, `queue-row-${item.pair}`) },
          h("span", { class: "queue-pair" }, t("review.queuePair", { id: String(item.pair) }), adjudicated ? h("span", { class: "badge-adjudicated" }, t("review.adj.done")) : null),
          item.prompt?.text ? h("span", { class: "queue-prompt muted" }, item.prompt.text) : null,
          h("span", { class: "queue-dims" }, ...item.disputes.map((d) => {
            const reason = t(`review.reason.${d.reason}` as MessageKey);
            return h("span", { class: `chip dispute dispute-${d.reason}`, title: `${dimName(d.dimension)} · ${reason}` }, dimName(d.dimension), h("span", { class: "sr-only" }, ` · ${reason}`));
          })),
        ),
      );
    return card(
      "queue",
      "review.queue",
      null,
      h("div", { class: "queue-stat" }, h("span", { class: "stat-value", "data-queue-count": String(count) }, String(count)), h("span", { class: "muted" }, t("review.queueCount"))),
      rows.length ? h("p", { class: "muted help queue-legend" }, `⇄ ${t("review.reason.opposite_directions")}   ↔ ${t("review.reason.spread")}\n${t("review.adj.openHint")}`) : null,
      rows.length ? h("ol", { class: "queue-list", start: queueOffset + 1 }, ...rows.map(row)) : empty("review.queueEmpty"),
      queuePager(queuePage(count, queueOffset, queue?.results.length ?? 0, QUEUE_PAGE), (offset) => void showQueuePage(offset)),
    );
  };

  const historyCard = () => {
    if (historyIsEmpty(history)) return card("history", "review.history", null, empty("review.historyEmpty"));
    const report = history as HistoryReport;
    const short = new Intl.DateTimeFormat(lang(), { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
    return card(
      "history",
      "review.history",
      null,
      h("p", { class: "muted help" }, t("review.historyHelp", { days: String(report.days) })),
      ...historyContent(report, {
        dimName,
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
  };

  const render = () => {
    translateDom();
    const stats = h("div", { class: "stats" });
    const chartCard = h("section", { class: "card" }, h("h2", {}, t("review.perDimension")));
    const tableCard = h("section", { class: "card" }, h("h2", {}, t("review.annotators")));
    if (progress) {
      const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)}%` : "—");
      stats.append(
        stat("review.pairs", `${progress.pairs_complete} / ${progress.pairs_total}`, pct(progress.pairs_complete, progress.pairs_total)),
        stat("review.judged", `${progress.assignments_submitted} / ${progress.assignments_needed}`, pct(progress.assignments_submitted, progress.assignments_needed)),
        stat("review.live", String(progress.live_leases ?? 0)),
      );
      const perDim = progress.judgments_per_dimension ?? {};
      // Pink for the appearance group, blue for consistency, as on the labelling page's two sides.
      const data = config.dimensions.map((d) => ({ label: dimensionText(d).name, value: perDim[d.key] ?? 0, series: d.group === "appearance" ? 0 : 3 }));
      chartCard.append(barChart(data, { title: t("review.chartLabel", { title: t("review.perDimension") }), integer: true }));
    }
    if (annotators.length) {
      const cols: MessageKey[] = ["review.col.annotator", "review.col.submitted", "review.col.median", "review.col.skipped", "review.col.flagged", "review.col.expired", "review.col.last"];
      tableCard.append(
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table" },
            h("thead", {}, h("tr", {}, ...cols.map((c, i) => h("th", { scope: "col", class: i > 0 && i < 6 ? "num" : "" }, t(c))))),
            h(
              "tbody",
              {},
              ...annotators.map((a) =>
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
                ),
              ),
            ),
          ),
        ),
      );
    } else {
      tableCard.append(h("p", { class: "muted" }, t("review.none")));
    }
    const focusedId = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    root.replaceChildren(
      h(
        "div",
        { class: "review-head" },
        h("h1", {}, config.campaign.name),
        h("p", { class: "muted", "aria-live": "polite" }, error || (updatedAt ? t("review.updated", { time: formatTime(updatedAt.toISOString()) }) : "")),
      ),
      stats,
      h("div", { class: "dash-grid" }, queueCard(), agreementCard()),
      historyCard(),
      leaderboardCard(),
      goldCard(),
      chartCard,
      tableCard,
    );
    // Polling re-renders everything: keep the keyboard user's place (e.g. the dimension selector).
    if (focusedId) document.getElementById(focusedId)?.focus();
  };

  const loadQueue = async (): Promise<QueueReport> => {
    const get = () => api.get<QueueReport>(`/api/campaigns/${config.campaign.id}/quality/review-queue/?limit=${QUEUE_PAGE}&offset=${queueOffset}`);
    let page = await get();
    const clamped = clampOffset(queueOffset, page.count, QUEUE_PAGE);
    if (clamped !== queueOffset) {
      queueOffset = clamped; // adjudications shrank the queue below this page
      page = await get();
    }
    return page;
  };
  const showQueuePage = async (offset: number) => {
    queueOffset = offset;
    settled.length = 0; // rows settled on the previous page belong to it
    queue = await loadQueue().catch(() => queue);
    render();
  };

  const panel = new AdjudicationPanel({
    api,
    dimensions: config.dimensions.map((d) => d.key),
    dimName,
    onSaved: (item, adjudications) => {
      const shown = queueRows(queue?.results ?? [], settled).findIndex((r) => r.item.pair === item.pair);
      const earlier = settled.findIndex((s) => s.item.pair === item.pair);
      if (earlier >= 0) settled.splice(earlier, 1);
      settled.push({ item: { ...item, adjudications }, adjudications, index: Math.max(0, shown) });
      render();
      // The count (and the rest of the queue) from the server: the pair has left it.
      void loadQueue().then((fresh) => {
        queue = fresh;
        render();
      }, () => undefined);
    },
  });

  const load = async () => {
    try {
      const id = config.campaign.id;
      [progress, annotators] = await Promise.all([
        api.get<Progress>(`/api/campaigns/${id}/progress/`),
        api.get<AnnotatorStats[]>(`/api/review/campaigns/${id}/annotators/`),
      ]);
      // The quality reports are optional extras: one failing must not blank the progress view.
      const optional = <T,>(p: Promise<T>) => p.catch(() => null);
      const historyDue = Date.now() - historyAt >= HISTORY_REFRESH_MS;
      [agreement, leaderboard, quality, queue, history] = await Promise.all([
        optional(api.get<AgreementReport>(`/api/campaigns/${id}/quality/agreement/`)),
        optional(api.get<LeaderboardReport>(`/api/campaigns/${id}/quality/leaderboard/`)),
        optional(api.get<AnnotatorsReport>(`/api/campaigns/${id}/quality/annotators/`)),
        optional(loadQueue()),
        historyDue ? optional(api.get<HistoryReport>(`/api/campaigns/${id}/quality/agreement/history/`)) : Promise.resolve(history),
      ]);
      if (historyDue && history) historyAt = Date.now();
      updatedAt = new Date();
      error = "";
    } catch (exc) {
      error = exc instanceof ApiError ? exc.detail : t("banner.network");
    }
    render();
  };

  const schedule = () => {
    const hidden = document.visibilityState === "hidden";
    hiddenPolls = hidden ? hiddenPolls + 1 : 0;
    const delay = hidden ? Math.min(MAX_HIDDEN_POLL_MS, POLL_MS * 2 ** hiddenPolls) : POLL_MS;
    setTimeout(() => void load().then(schedule), delay);
  };

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && hiddenPolls > 0) void load();
  });
  onLangChange(render);
  render();
  void load().then(schedule);
}

const root = document.getElementById("review-root");
if (root) boot(root);
