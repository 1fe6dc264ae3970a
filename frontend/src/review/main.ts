/**
 * Entry of /review/<campaign_id>/ (reviewers): campaign progress, judgments per dimension as a
 * bar chart, and the annotators table. Polls every 15 s while visible and backs off while hidden.
 */
import "./review.css";
import { ApiError, browserApi } from "../lib/api";
import { barChart } from "../lib/chart";
import { languageSwitcher, readConfig, translateDom } from "../lib/chrome";
import { h } from "../lib/dom";
import { dimensionText, initLang, lang, onLangChange, t, type MessageKey } from "../lib/i18n";
import type { AnnotatorStats, Dimension, PageConfig, Progress } from "../lib/types";

interface ReviewConfig extends PageConfig {
  dimensions: Dimension[];
}

const POLL_MS = 15_000;
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
    root.replaceChildren(
      h(
        "div",
        { class: "review-head" },
        h("h1", {}, config.campaign.name),
        h("p", { class: "muted", "aria-live": "polite" }, error || (updatedAt ? t("review.updated", { time: formatTime(updatedAt.toISOString()) }) : "")),
      ),
      stats,
      chartCard,
      tableCard,
    );
  };

  const load = async () => {
    try {
      const id = config.campaign.id;
      [progress, annotators] = await Promise.all([
        api.get<Progress>(`/api/campaigns/${id}/progress/`),
        api.get<AnnotatorStats[]>(`/api/review/campaigns/${id}/annotators/`),
      ]);
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
