/**
 * The run page's sections below the status card: training curves, held-out evaluation (reward
 * report and promotion, or GAPO base vs trained), samples and the log tail. Each takes the run and
 * returns an element; the page re-renders them on every poll.
 */
import { lineChart, type LineSeries } from "../lib/chart";
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { gapoRows, reportRows } from "./compare";
import { deltaClass, interval, isFinal, num, pct, signed } from "./format";
import { sampleParts } from "./samples";
import { latestValues, OVERALL_ACCURACY_KEYS, OVERALL_LOSS_KEYS, overallLines, perDimensionLines, seriesDimensions } from "./series";
import type { RunDetail } from "./types";
import { card, empty, legend, table, type Cell } from "./widgets";

export interface Names {
  /** Display name of a dimension key (translated when known). */
  dim: (key: string) => string;
  /** Platform dimension keys, in their display order. */
  known: string[];
}

function chartBlock(id: string, title: string, lines: LineSeries[]): HTMLElement | null {
  if (!lines.length) return null;
  // Several lines end close together, so their end labels would overprint: the legend names them.
  const drawn = lines.length > 1 ? lines.map((l) => ({ ...l, name: "" })) : lines;
  return h(
    "figure",
    { class: "run-chart", "data-chart": id },
    h("figcaption", {}, title),
    lines.length > 1 ? legend(lines.map((l) => l.name)) : null,
    lineChart(drawn, { title: t("run.chartLabel", { title }), xLabel: t("run.xStep") }),
  );
}

export function chartsCard(run: RunDetail, names: Names): HTMLElement {
  const series = run.series ?? [];
  const dims = seriesDimensions(series, names.known);
  const blocks = [
    chartBlock("loss", t("run.chartLoss"), overallLines(series, OVERALL_LOSS_KEYS)),
    chartBlock("accuracy", t("run.chartAccuracy"), [...overallLines(series, OVERALL_ACCURACY_KEYS), ...perDimensionLines(series, "accuracy", dims, names.dim)]),
    chartBlock("dim-loss", t("run.chartDimLoss"), perDimensionLines(series, "loss", dims, names.dim)),
  ].filter((b): b is HTMLElement => b !== null);
  if (!blocks.length) return card("charts", t("run.charts"), empty(isFinal(run.state) ? t("run.noSeriesFinal") : t("run.noSeries")));
  const latest = Object.entries(latestValues(series)).sort(([a], [b]) => a.localeCompare(b));
  return card(
    "charts",
    t("run.charts"),
    h("div", { class: "chart-grid-2" }, ...blocks),
    h(
      "details",
      { class: "latest" },
      h("summary", {}, t("run.latest")),
      table([t("run.col.metric"), t("run.col.value"), t("run.col.step")], latest.map(([k, v]) => [k, num(v.value, 4), String(v.step)]), { numeric: [1, 2], cls: "table-compact" }),
    ),
  );
}

function promotionBlock(run: RunDetail): HTMLElement | null {
  const promotion = run.metrics?.promotion;
  const version = run.reward_model_version;
  if (!promotion && !version) return null;
  const promoted = version?.promoted ?? promotion?.promoted ?? false;
  // the run's own decision (metrics) vs the version's state now: promoted then, replaced by a newer model since
  const replaced = !promoted && promotion?.promoted === true;
  const note = version?.promotion_note || promotion?.note || "";
  const bar = promotion?.bar;
  const compared = bar && typeof bar.accuracy === "number"
    ? t("run.comparedWithBar", { id: String(bar.model ?? "—"), acc: pct(bar.accuracy), eps: pct(bar.epsilon ?? null) })
    : promotion?.compared_with
      ? t("run.comparedWith", { id: String(promotion.compared_with), acc: pct(promotion.promoted_accuracy) })
      : "";
  return h(
    "div",
    { class: `promotion ${promoted ? "is-promoted" : ""}`, "data-promoted": String(promoted) },
    h("h3", {}, t("run.promotion")),
    h("p", {}, h("span", { class: `badge ${promoted ? "state-succeeded" : "state-cancelled"}` },
      promoted ? `★ ${t("run.promotedYes")}` : replaced ? t("run.promotedReplaced") : t("run.promotedNo")), " ", compared),
    note ? h("p", { class: "promotion-note" }, note) : null,
  );
}

export function metricsCard(run: RunDetail, names: Names): HTMLElement {
  const report = run.metrics?.report;
  const rows = reportRows(report, names.known);
  const gapo = gapoRows(run.metrics, names.known);
  const children: (Node | null)[] = [];
  if (report && (report.overall?.accuracy === null || report.overall?.accuracy === undefined) && report.pairs !== undefined) {
    children.push(h("p", { class: "notice", "data-notice": "no-held-out" }, t("run.notEnoughHeldOut")));
  }
  if (rows.length) {
    const generators = (gens: { name: string; accuracy: number }[]) => gens.slice(0, 3).map((g) => `${g.name} ${pct(g.accuracy, 0)}`).join(" · ") || "—";
    const body: Cell[][] = rows.map((r) => [names.dim(r.dimension), r.pairs === null ? "—" : String(r.pairs), pct(r.accuracy), pct(r.accuracyTies), num(r.spearman, 2), num(r.ece, 3), { text: generators(r.generators), cls: "gens" }]);
    if (report?.overall) body.push([{ text: t("run.overall"), cls: "overall" }, report.pairs === undefined ? "—" : String(report.pairs), pct(report.overall.accuracy), pct(report.overall.accuracy_ties), "", "", ""]);
    children.push(
      h("p", { class: "muted help" }, t("run.metricsHelp")),
      table(
        [t("run.col.dimension"), t("run.col.pairs"), t("run.col.accuracy"), t("run.col.accuracyTies"), t("run.col.spearman"), t("run.col.ece"), t("run.col.generators")],
        body,
        { numeric: [1, 2, 3, 4, 5], cls: "report-table" },
      ),
    );
  }
  if (gapo.length) {
    children.push(
      h("h3", {}, t("run.gapoEval")),
      h("p", { class: "muted help" }, t("run.gapoEvalHelp", { n: String(gapo.find((r) => r.prompts !== null)?.prompts ?? "—") })),
      table(
        [t("run.col.dimension"), t("run.col.base"), t("run.col.trained"), t("run.col.delta"), t("run.col.interval"), t("run.col.winRate")],
        gapo.map((r) => [names.dim(r.dimension), num(r.base), num(r.trained), { text: signed(r.delta), cls: deltaClass(r.delta, r.low, r.high) }, { text: interval(r.low, r.high), cls: "interval" }, pct(r.winRate, 0)]),
        { numeric: [1, 2, 3, 4, 5], cls: "gapo-table" },
      ),
    );
  }
  children.push(promotionBlock(run));
  if (!children.some(Boolean)) children.push(empty(isFinal(run.state) ? t("run.noMetrics") : t("run.metricsPending")));
  return card("metrics", t("run.metrics"), ...children);
}

/** Base and trained side by side are compared in motion: restart every clip of the sample together. */
function playTogether(event: Event): void {
  const sample = (event.currentTarget as HTMLElement).closest(".sample");
  sample?.querySelectorAll("video").forEach((video) => {
    video.currentTime = 0;
    void video.play().catch(() => undefined);
  });
}

export function samplesCard(run: RunDetail, names: Names): HTMLElement | null {
  const samples = Array.isArray(run.samples) ? run.samples : [];
  if (!samples.length && run.kind !== "gapo") return null;
  if (!samples.length) return card("samples", t("run.samples"), empty(isFinal(run.state) ? t("run.noSamples") : t("run.samplesPending")));
  return card(
    "samples",
    t("run.samples"),
    h(
      "div",
      { class: "samples" },
      ...samples.map((sample, i) => {
        const parts = sampleParts(sample);
        const scoreTable = parts.scores.length
          ? table([t("run.col.video"), ...parts.dimensions.map(names.dim)], parts.scores.map((s) => [s.name, ...parts.dimensions.map((d) => num(s.scores[d]))]), { numeric: parts.dimensions.map((_, k) => k + 1), cls: "table-compact" })
          : null;
        return h(
          "article",
          { class: "sample", "data-sample": i },
          h("div", { class: "sample-head" }, h("h3", {}, t("run.sampleN", { n: i + 1 })), parts.videos.length > 1 ? h("button", { type: "button", class: "btn btn-small", "data-action": "play-both", onclick: playTogether }, t("run.playBoth")) : null),
          parts.prompt ? h("p", { class: "sample-prompt" }, parts.prompt) : null,
          parts.videos.length
            ? h("div", { class: "sample-videos" }, ...parts.videos.map((v) => h("figure", {}, h("video", { src: v.url, controls: true, loop: true, muted: true, playsinline: true, preload: "metadata" }), h("figcaption", {}, v.name))))
            : null,
          scoreTable,
          parts.extras.length ? h("p", { class: "muted sample-extras" }, parts.extras.map(([k, v]) => `${k}: ${v}`).join(" · ")) : null,
        );
      }),
    ),
  );
}

export function logCard(run: RunDetail): HTMLElement {
  const text = (run.log_tail ?? "").trimEnd();
  return card("log", t("run.log"), text ? h("pre", { class: "log", tabindex: 0 }, text) : empty(t("run.noLog")));
}
