/**
 * What /runs/ shows, drawn from its state: the admin actions (Run GAPO, Run dense GAPO, retrain per policy with
 * its backoff), the runs table with its filters, and the reward-model comparison. Pure: state and
 * callbacks in, elements out; list.ts owns the state, the requests and the polling.
 */
import { h } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { comparisonDimensions, comparisonRows } from "./compare";
import { frameWeighting, pct, stepText } from "./format";
import type { Names } from "./sections";
import { RUN_KINDS, RUN_STATES, type RetrainPolicy, type RewardModel, type Run } from "./types";
import { card, empty, formatTime, kindName, progressBar, stateBadge, table, type Cell } from "./widgets";

export type RunFilter = "kind" | "state";

export interface RunsListState {
  runs: Run[];
  /** Runs matching the filters on the server (the table shows the first page). */
  count: number;
  models: RewardModel[];
  policies: RetrainPolicy[];
  /** False until the first answer: "loading" rather than "no runs". */
  loaded: boolean;
  updatedAt: Date | null;
  /** The last request's error, shown in place of "updated at". */
  message: string;
  /** The action key in flight ("gapo", "retrain-3", "promote-7"), or "". */
  busy: string;
  filters: Record<RunFilter, string>;
  admin: boolean;
  runsUrl: string;
}

export interface RunsListActions {
  runGapo: () => void;
  /** The default setup as dense GAPO (human pairs, frames weighted by the annotators' spans). */
  runDenseGapo: () => void;
  retrain: (p: RetrainPolicy) => void;
  promote: (m: RewardModel) => void;
  setFilter: (name: RunFilter, value: string) => void;
}

function filterSelect(id: string, label: MessageKey, values: readonly string[], current: string, name: (v: string) => string, onChange: (v: string) => void): HTMLElement {
  const select = h("select", { id, class: "select" }, h("option", { value: "" }, t("runs.filter.all")), ...values.map((v) => h("option", { value: v, selected: v === current }, name(v))));
  select.addEventListener("change", () => onChange(select.value));
  return h("span", { class: "filter" }, h("label", { for: id }, t(label)), select);
}

function actionButton(s: RunsListState, key: string, text: string, onclick: () => void, primary = false): HTMLElement {
  // an id, so the list's poll re-render puts keyboard focus back on the button it was on (list.ts render)
  return h("button", { type: "button", id: `run-action-${key}`, class: `btn ${primary ? "btn-primary" : ""}`, "data-action": key,
    disabled: s.busy === key, onclick }, text);
}

/** "Run dense GAPO", described by its one-line explanation beside it (screen readers read both). */
function denseButton(s: RunsListState, a: RunsListActions): HTMLElement {
  const button = actionButton(s, "gapo-dense", t("runs.runDenseGapo"), a.runDenseGapo);
  button.setAttribute("aria-describedby", "run-dense-help");
  return button;
}

/** A policy whose last retrain failed: waiting out its backoff until a time, or given up. */
export function policyBackoff(p: RetrainPolicy): HTMLElement | null {
  if (!p.backoff || p.backoff.failures <= 0) return null;
  const text = p.backoff.until
    ? t("runs.policyBackoff", { n: p.backoff.failures, until: new Date(p.backoff.until).toLocaleString() })
    : t("runs.policyFailed", { n: p.backoff.failures });
  return h("p", { class: "policy-backoff", "data-backoff": p.backoff.until ? "waiting" : "failed" }, text, " ", h("code", {}, p.backoff.reason));
}

function policyItem(s: RunsListState, p: RetrainPolicy, a: RunsListActions): HTMLElement {
  return h(
    "li",
    { "data-policy": p.id },
    h("strong", {}, p.name),
    h("span", { class: "muted" }, ` ${t("runs.policyInfo", { campaigns: p.campaign_ids.length, n: p.min_new_judgments })}${p.enabled ? "" : ` · ${t("runs.policyDisabled")}`}`),
    actionButton(s, `retrain-${p.id}`, t("runs.retrainNow"), () => a.retrain(p)),
    policyBackoff(p),
  );
}

/** Admins only: start a GAPO run (plain or dense), retrain a reward model per policy. */
export function actionsCard(s: RunsListState, a: RunsListActions): HTMLElement | null {
  if (!s.admin) return null;
  return card(
    "actions",
    t("runs.actions"),
    h("div", { class: "actions-row" }, actionButton(s, "gapo", t("runs.runGapo"), a.runGapo, true), h("span", { class: "muted help" }, t("runs.runGapoHelp"))),
    h("div", { class: "actions-row" }, denseButton(s, a), h("span", { class: "muted help", id: "run-dense-help" }, t("runs.runDenseGapoHelp"))),
    h("h3", {}, t("runs.policies")),
    s.policies.length ? h("ul", { class: "policies" }, ...s.policies.map((p) => policyItem(s, p, a))) : empty(t("runs.noPolicies")),
  );
}

function runRow(s: RunsListState, r: Run): Cell[] {
  const version = r.reward_model_version;
  return [
    h("a", { href: r.page_url || `${s.runsUrl}${r.id}/`, "data-run-link": r.id }, `#${r.id}`),
    frameWeighting(r)?.dense ? h("span", {}, kindName(r.kind), " ", h("span", { class: "badge", "data-dense": "" }, t("runs.dense"))) : kindName(r.kind),
    stateBadge(r.state),
    h("span", { class: "progress-cell" }, progressBar(r, t("runs.progressOf", { id: r.id })), h("span", { class: "muted" }, stepText(r))),
    { text: version ? `${version.promoted ? "★ " : ""}${pct(version.accuracy)}` : "—", num: true },
    formatTime(r.created_at),
    r.created_by ?? "—",
  ];
}

export function runsCard(s: RunsListState, a: RunsListActions): HTMLElement {
  const tools = h(
    "div",
    { class: "dash-tools" },
    filterSelect("filter-kind", "runs.filter.kind", RUN_KINDS, s.filters.kind, kindName, (v) => a.setFilter("kind", v)),
    filterSelect("filter-state", "runs.filter.state", RUN_STATES, s.filters.state, (v) => t(`runs.state.${v}` as MessageKey), (v) => a.setFilter("state", v)),
    h("span", { class: "muted", "data-run-count": s.count }, t("runs.showing", { shown: s.runs.length, n: s.count })),
  );
  if (!s.runs.length) return card("runs", t("runs.heading"), tools, empty(s.loaded ? t("runs.empty") : t("run.loading")));
  const head = [t("runs.col.run"), t("runs.col.kind"), t("runs.col.state"), t("runs.col.progress"), t("runs.col.accuracy"), t("runs.col.created"), t("runs.col.by")];
  return card("runs", t("runs.heading"), tools, table(head, s.runs.map((r) => runRow(s, r)), { cls: "runs-table" }));
}

/** Reward-model versions side by side, the best per column starred; admins promote from here. */
export function modelsCard(s: RunsListState, a: RunsListActions, names: Names): HTMLElement {
  if (!s.models.length) return card("models", t("runs.models"), empty(t("runs.noModels")));
  const dims = comparisonDimensions(s.models, names.known);
  const mark = (c: { value: number | null; best: boolean }): Cell => ({ text: `${c.best ? "★ " : ""}${pct(c.value)}`, num: true, cls: c.best ? "best" : "" });
  const last = (m: RewardModel): Cell =>
    s.admin && !m.promoted
      ? h("button", { type: "button", class: "btn btn-small", "data-action": `promote-${m.id}`, disabled: s.busy === `promote-${m.id}`, onclick: () => a.promote(m) }, t("runs.promote"))
      : m.promotion_note ? h("span", { class: "muted note", title: m.promotion_note }, m.promotion_note) : "";
  const rows: Cell[][] = comparisonRows(s.models, dims).map((r) => [
    h("span", {}, h("a", { href: `${s.runsUrl}${r.model.run}/` }, `v${r.model.id}`), r.model.promoted ? h("span", { class: "badge state-succeeded promoted-mark" }, `✓ ${t("runs.promoted")}`) : null),
    mark(r.mean),
    ...r.cells.map(mark),
    formatTime(r.model.created_at),
    last(r.model),
  ]);
  return card(
    "models",
    t("runs.models"),
    h("p", { class: "muted help" }, t("runs.modelsHelp")),
    table([t("runs.col.version"), t("runs.col.mean"), ...dims.map(names.dim), t("runs.col.created"), ""], rows, { numeric: [1, ...dims.map((_, i) => i + 2)], cls: "models-table" }),
  );
}

/** The whole page, top to bottom. */
export function renderRunsList(s: RunsListState, a: RunsListActions, names: Names): HTMLElement[] {
  const status = s.message || (s.updatedAt ? t("runs.updated", { time: formatTime(s.updatedAt.toISOString()) }) : "");
  const sections = [
    h("div", { class: "page-head" }, h("h1", {}, t("runs.heading")), h("span", { class: "muted", "aria-live": "polite" }, status)),
    actionsCard(s, a),
    runsCard(s, a),
    modelsCard(s, a, names),
  ];
  return sections.filter((el): el is HTMLElement => el !== null);
}
