/** Small DOM pieces of the review page's cards: stats, cards with freshness, legends, charts, data tables. */
import { rangeBarChart, type RangeOptions, type RangeRow } from "../lib/chart";
import { h } from "../lib/dom";
import { lang, t, type MessageKey } from "../lib/i18n";
import type { CachedReport } from "./dashboard";

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function formatTime(iso: string | null): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function stat(label: MessageKey, value: string, sub?: string): HTMLElement {
  return h("div", { class: "stat" }, h("span", { class: "stat-label" }, t(label)), h("span", { class: "stat-value" }, value), sub ? h("span", { class: "stat-sub" }, sub) : null);
}

/** A visually hidden table carrying a chart's numbers for screen readers. The table sits inside a
 * hidden box rather than carrying .sr-only itself: a table never gets narrower than its content, so
 * a 1 px .sr-only table stayed ~500 px wide and made the review page scroll sideways on a phone. */
export function srTable(caption: string, head: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    "div",
    { class: "sr-only" },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, String(c)) : h("td", {}, String(c))))))),
    ),
  );
}

/** "updated <time>" plus a subtle "refreshing" badge while the server recomputes a stale report. */
export function freshness(report: CachedReport | null): HTMLElement | null {
  if (!report) return null;
  return h(
    "span",
    { class: "freshness" },
    report.computed_at ? t("review.updatedShort", { time: formatTime(report.computed_at) }) : "",
    report.stale ? h("span", { class: "badge-refreshing", role: "status" }, t("review.refreshing")) : null,
  );
}

export function card(id: string, title: MessageKey, report: CachedReport | null, ...children: (Node | null)[]): HTMLElement {
  return h(
    "section",
    { class: `card dash dash-${id}`, "aria-labelledby": `dash-${id}-title`, "data-dash": id },
    h("div", { class: "dash-head" }, h("h2", { id: `dash-${id}-title` }, t(title)), freshness(report)),
    ...children,
  );
}

export function legend(items: [number, string][]): HTMLElement {
  return h("div", { class: "legend", "aria-hidden": "true" }, ...items.map(([series, label]) => h("span", { class: "legend-item" }, h("span", { class: `swatch series-${series}` }), label)));
}

export function empty(text: MessageKey): HTMLElement {
  return h("p", { class: "empty-state" }, t(text));
}

export function chart(rows: RangeRow[], title: string, extra: Partial<RangeOptions> = {}): SVGSVGElement {
  return rangeBarChart(rows, { title: t("review.chartLabel", { title }), ...extra });
}
