/** Small DOM pieces shared by the run list and the run page: badges, progress bars, tables, cards. */
import { h } from "../lib/dom";
import { lang, t, type MessageKey } from "../lib/i18n";
import { progressOf, stepText } from "./format";
import type { Run } from "./types";

/** The state as a word and a mark (colour is never the only signal). */
const STATE_MARK: Record<string, string> = { queued: "◷", running: "▶", succeeded: "✓", failed: "✕", cancelled: "■" };

export function stateBadge(state: string): HTMLElement {
  const label = t(`runs.state.${state}` as MessageKey);
  return h("span", { class: `badge state state-${state}`, "data-state": state }, `${STATE_MARK[state] ?? "●"} ${label}`);
}

export function kindName(kind: string): string {
  return t(`runs.kind.${kind}` as MessageKey);
}

export function progressBar(run: Pick<Run, "state" | "progress" | "step" | "total_steps">, label: string): HTMLElement {
  const value = progressOf(run);
  const percent = Math.round(value * 100);
  // A run that failed after its last step is not "100% done": the bar names the outcome instead.
  const ended = run.state === "failed" || run.state === "cancelled";
  const text = ended ? t(`runs.state.${run.state}` as MessageKey) : `${percent}%`;
  return h(
    "div",
    { class: `progress progress-${run.state}`, role: "progressbar", "aria-label": label, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent, "aria-valuetext": `${text} (${stepText(run)})` },
    h("div", { class: "progress-fill", style: `width: ${percent}%` }),
    h("span", { class: "progress-text" }, text),
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "medium" }).format(d);
}

export function card(id: string, title: string, ...children: (Node | null | false)[]): HTMLElement {
  return h("section", { class: `card card-${id}`, "data-card": id, "aria-labelledby": `card-${id}-title` }, h("h2", { id: `card-${id}-title` }, title), ...children);
}

export function empty(text: string): HTMLElement {
  return h("p", { class: "empty-state" }, text);
}

export type Cell = string | Node | { text: string | Node; num?: boolean; cls?: string };

/** A table: the first cell of each row is its header. `numeric` marks right-aligned columns by index. */
export function table(head: string[], rows: Cell[][], opts: { numeric?: number[]; cls?: string; caption?: string } = {}): HTMLElement {
  const numeric = new Set(opts.numeric ?? []);
  const cell = (c: Cell, i: number) => {
    const spec = typeof c === "object" && !(c instanceof Node) ? c : { text: c };
    const cls = [numeric.has(i) || spec.num ? "num" : "", spec.cls ?? ""].filter(Boolean).join(" ");
    return i === 0 ? h("th", { scope: "row", class: cls || null }, spec.text) : h("td", { class: cls || null }, spec.text);
  };
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: `table ${opts.cls ?? ""}`.trim() },
      opts.caption ? h("caption", { class: "sr-only" }, opts.caption) : null,
      h("thead", {}, h("tr", {}, ...head.map((c, i) => h("th", { scope: "col", class: numeric.has(i) ? "num" : null }, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map(cell)))),
    ),
  );
}

export function legend(names: string[]): HTMLElement {
  return h("div", { class: "legend", "aria-hidden": "true" }, ...names.map((name, i) => h("span", { class: "legend-item" }, h("span", { class: `swatch line-${i % 6}` }), name)));
}

/** A definition list of label/value pairs (the run's facts). */
export function facts(items: [MessageKey, string | Node][]): HTMLElement {
  return h("dl", { class: "facts" }, ...items.flatMap(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, v)]));
}
