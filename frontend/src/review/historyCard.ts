/**
 * Draws agreement over time: small multiples (one alpha chart per dimension, shared time axis)
 * and the review-queue size, each an SVG with role="img", plus a visually hidden table of the
 * latest values. The geometry is `history.ts`; names and time formats come in from the page.
 */
import { svg, h } from "../lib/dom";
import { alphaDomain, alphaSeries, historyTimeDomain, queueSeries, timeChartModel, type HistoryReport, type TimeChartOptions, type TimeValue } from "./history";

export interface HistoryLabels {
  dimName: (key: string) => string;
  /** A tick's instant as text (short: the charts are small). */
  formatTime: (ms: number) => string;
  chartTitle: (name: string) => string;
  queueTitle: string;
  alphaName: string;
  tableCaption: string;
  colDimension: string;
  colLatest: string;
  colSnapshots: string;
}

const fmt = (v: number, integer?: boolean) => (integer ? String(Math.round(v)) : v.toFixed(2));

function timeChart(values: TimeValue[], title: string, labels: HistoryLabels, opts: TimeChartOptions, series: number): SVGSVGElement {
  const m = timeChartModel(values, opts);
  const root = svg("svg", { viewBox: `0 0 ${m.width} ${m.height}`, class: "chart chart-time", role: "img", "aria-label": title });
  root.append(svg("title", {}, title));
  for (const tick of m.yTicks) {
    root.append(
      svg("line", { x1: m.plot.left, x2: m.plot.right, y1: tick.y, y2: tick.y, class: tick.value === 0 ? "chart-zero" : "chart-grid" }),
      svg("text", { x: m.plot.left - 6, y: tick.y + 4, class: "chart-tick", "text-anchor": "end" }, fmt(tick.value, opts.integer)),
    );
  }
  // The first and last instants only: a date and time is ~100 px, more would collide in a small chart.
  const xTicks = m.xTicks.length > 1 ? [m.xTicks[0], m.xTicks[m.xTicks.length - 1]] : m.xTicks;
  xTicks.forEach((tick, i) => {
    const anchor = xTicks.length === 1 ? "middle" : i === 0 ? "start" : i === xTicks.length - 1 ? "end" : "middle";
    root.append(svg("text", { x: tick.x, y: m.height - 6, class: "chart-tick", "text-anchor": anchor }, labels.formatTime(tick.value)));
  });
  for (const segment of m.segments) {
    if (segment.length === 1) {
      root.append(svg("circle", { cx: segment[0].x, cy: segment[0].y, r: 3, class: `chart-time-dot series-${series}` }));
      continue;
    }
    const d = segment.map((p, k) => `${k ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
    root.append(svg("path", { d, fill: "none", class: `chart-time-line series-${series}` }));
  }
  if (m.last) {
    root.append(
      svg("circle", { cx: m.last.x, cy: m.last.y, r: 3.5, class: `chart-time-dot series-${series}` }),
      svg("text", { x: Math.min(m.last.x, m.plot.right) - 4, y: Math.max(m.plot.top + 10, m.last.y - 7), class: "chart-value", "text-anchor": "end" }, fmt(m.last.value, opts.integer)),
    );
  }
  return root;
}

/** The card's body: a grid of per-dimension alpha charts, the queue chart and the data table. */
export function historyContent(report: HistoryReport, labels: HistoryLabels): HTMLElement[] {
  const timeDomain = historyTimeDomain(report);
  const domain = alphaDomain(report);
  const charts = report.dimensions.map((d) =>
    h(
      "figure",
      { class: "history-chart", "data-history-dimension": d.dimension },
      h("figcaption", {}, labels.dimName(d.dimension)),
      timeChart(alphaSeries(report, d.dimension), labels.chartTitle(`${labels.alphaName} · ${labels.dimName(d.dimension)}`), labels, { domain, timeDomain }, 0),
    ),
  );
  const queue = h(
    "figure",
    { class: "history-chart history-queue", "data-history-dimension": "queue" },
    h("figcaption", {}, labels.queueTitle),
    timeChart(queueSeries(report), labels.chartTitle(labels.queueTitle), labels, { integer: true, timeDomain }, 3),
  );
  const latest = (points: { alpha: number | null }[]) => {
    const known = points.filter((p) => typeof p.alpha === "number");
    return known.length ? (known[known.length - 1].alpha as number).toFixed(2) : "—";
  };
  const table = h(
    "table",
    {},
    h("caption", {}, labels.tableCaption),
    h("thead", {}, h("tr", {}, ...[labels.colDimension, labels.colLatest, labels.colSnapshots].map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      ...report.dimensions.map((d) => h("tr", {}, h("th", { scope: "row" }, labels.dimName(d.dimension)), h("td", {}, latest(d.points)), h("td", {}, String(d.points.length)))),
      h("tr", {}, h("th", { scope: "row" }, labels.queueTitle), h("td", {}, String(report.queue[report.queue.length - 1]?.size ?? "—")), h("td", {}, String(report.queue.length))),
    ),
  );
  // hidden through a box: a .sr-only table keeps its content's width and widens a phone's page (widgets.srTable)
  return [h("div", { class: "history-grid" }, ...charts, queue), h("div", { class: "sr-only" }, table)];
}
