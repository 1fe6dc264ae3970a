/**
 * /studio/data/ (reviewers and admins): tabs for videos, pairs, judgments and flags, filter
 * menus, and server-side pages of 25 rows. The tab, filters and page live in the query string, so
 * a filtered view can be bookmarked or shared. Keys: ← → on the tabs, / to the filters, n / p pages.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners } from "../lib/chrome";
import { h, isTyping } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { en } from "../lib/messages/en";
import { strengthKey } from "../review/adjudication";
import { apiPath, nextTab, pageCount, parseState, stateQuery, STATUSES, TAB_FILTERS, TABS, withFilter, withTab, type BrowserState, type FilterName } from "./query";
import type { DataConfig, Page, Row, Tab } from "./types";
import { dataTable, errorText, formatTime, keepFocus, pager } from "./widgets";

type Names = { dim: (key: string) => string };

const pairLink = (id: unknown) => h("a", { href: `/studio/pairs/${id}/`, "data-pair-link": String(id) }, `#${id}`);
const text = (v: unknown) => (v === null || v === undefined || v === "" ? "—" : String(v));

/** A flag's reason in words (the label page's), the stored code for a reason this build does not know. */
export function flagReason(code: unknown): string {
  const key = `flag.${String(code)}`;
  return key in en ? t(key as MessageKey) : text(code);
}

/** Column heads and cells of one tab's rows. */
export function tabTable(tab: Tab, rows: Row[], names: Names): { head: string[]; cells: (string | Node)[][] } {
  const col = (key: string) => t(`data.col.${key}` as MessageKey);
  switch (tab) {
    case "videos":
      return { head: ["id", "prompt", "generator", "status", "duration", "created"].map(col), cells: rows.map((r) => [text(r.id), text(r.prompt_text), text(r.generator), t(`data.status.${r.status}` as MessageKey), r.rendition_duration_s ? `${Number(r.rendition_duration_s).toFixed(1)} s` : "—", formatTime(r.created_at as string)]) };
    case "pairs":
      return { head: ["pair", "campaign", "prompt", "generators", "gold", "votes"].map(col), cells: rows.map((r) => [pairLink(r.id), text(r.campaign_name), text(r.prompt_text), `${r.generator_a} · ${r.generator_b}`, r.is_gold ? t("data.gold.yes") : "", `${r.completed} / ${r.overlap}`]) };
    case "judgments":
      return { head: ["pair", "annotator", "dimension", "answer", "edited", "campaign", "created"].map(col), cells: rows.map((r) => [pairLink(r.pair_id), text(r.annotator_name), names.dim(String(r.dimension_key)), h("span", { "data-strength": String(r.strength) }, t(strengthKey(Number(r.strength)))), r.edited ? h("span", { class: "chip", "data-edited": "true" }, t("data.edited")) : "", text(r.campaign_name), formatTime(r.created_at as string)]) };
    case "flags":
      return { head: ["pair", "annotator", "reason", "note", "status", "campaign", "created"].map(col), cells: rows.map((r) => [pairLink(r.pair_id), text(r.annotator_name), flagReason(r.reason), text(r.note), t(r.resolved ? "data.flagStatus.resolved" : "data.flagStatus.open"), text(r.campaign_name), formatTime(r.created_at as string)]) };
  }
}

function filterOptions(name: FilterName, tab: Tab, config: DataConfig, names: Names): [string, string][] {
  const choices = config.choices ?? { campaigns: [], generators: [], annotators: [] };
  switch (name) {
    case "campaign": return choices.campaigns.map((c) => [String(c.id), c.name]);
    case "generator": return choices.generators.map((g) => [g, g]);
    case "annotator": return choices.annotators.map((a) => [String(a.id), a.username]);
    case "dimension": return config.dimensions.map((d) => [d.key, names.dim(d.key)]);
    // an open flag waits for a reviewer; an open pair waits for votes ("not started"): other words in zh/ja
    case "status": return STATUSES[tab].map((s) => [s, t(`data.${tab === "flags" ? "flagStatus" : "status"}.${s}` as MessageKey)]);
    case "agreement": return [["disputed", t("data.agreement.disputed")], ["agreed", t("data.agreement.agreed")]];
    case "gold": return [["yes", t("data.gold.yes")], ["no", t("data.gold.no")]];
  }
}

function filterBar(state: BrowserState, config: DataConfig, names: Names, set: (name: FilterName, v: string) => void): HTMLElement {
  return h("div", { class: "filters", role: "group", "aria-label": t("data.filters") }, ...TAB_FILTERS[state.tab].map((name) => {
    const select = h("select", { id: `filter-${name}`, class: "select", "data-filter": name }, h("option", { value: "" }, t("data.all")),
      ...filterOptions(name, state.tab, config, names).map(([v, label]) => h("option", { value: v, selected: state.filters[name] === v }, label))) as HTMLSelectElement;
    select.addEventListener("change", () => set(name, select.value));
    return h("span", { class: "filter" }, h("label", { for: select.id }, t(`data.filter.${name}` as MessageKey)), select);
  }));
}

function tabList(current: Tab, go: (tab: Tab) => void): HTMLElement {
  const list = h("div", { class: "tabs", role: "tablist", "aria-label": t("data.tabs") }, ...TABS.map((tab) =>
    h("button", { type: "button", role: "tab", id: `tab-${tab}`, "data-tab": tab, "aria-selected": String(tab === current), tabindex: tab === current ? 0 : -1, onclick: () => go(tab) }, t(`data.tab.${tab}` as MessageKey))));
  list.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    e.preventDefault();
    go(nextTab(current, e.key === "ArrowRight" ? 1 : -1));
  });
  return list;
}

export function mountDataBrowser(root: HTMLElement, config: DataConfig, api: Api, banners: Banners, names: Names): { render: () => void } {
  let state = parseState(window.location.search);
  let data: Page<Row> | null = null;
  let failed = false;
  const go = (next: BrowserState, focusTab = false) => {
    state = next;
    history.replaceState(null, "", `${window.location.pathname}?${stateQuery(state)}`);
    void load().then(() => focusTab && document.getElementById(`tab-${state.tab}`)?.focus());
  };
  const render = () => {
    const table = data && data.results.length ? tabTable(state.tab, data.results, names) : null;
    root.dataset.tab = state.tab;
    root.dataset.loaded = String(data !== null);
    keepFocus(root, () => root.replaceChildren(
      h("h1", {}, t("data.title")), tabList(state.tab, (tab) => go(withTab(state, tab), true)),
      filterBar(state, config, names, (name, v) => go(withFilter(state, name, v))),
      h("div", { role: "tabpanel", "aria-labelledby": `tab-${state.tab}`, class: "tab-panel" },
        table ? dataTable(table.head, table.cells, t(`data.tab.${state.tab}` as MessageKey)) : h("p", { class: "empty-state" }, data ? t("data.empty") : t(failed ? "data.loadFailed" : "data.loading")),
        data ? pager(state.page, pageCount(data.count), data.count, (page) => go({ ...state, page })) : null),
    ));
  };
  let latest = 0;
  const load = async () => {
    const ticket = ++latest; // filters changed quickly: only the answer to the last request is shown
    try {
      const page = await api.get<Page<Row>>(apiPath(state));
      if (ticket !== latest) return;
      [data, failed] = [page, false];
      banners.clear("load");
    } catch (exc) {
      if (ticket !== latest) return;
      // a page past the end (an old link, or rows gone since): the first page instead of "Invalid page."
      if (exc instanceof ApiError && exc.status === 404 && state.page > 1) return go({ ...state, page: 1 });
      // the server refused these filters: rows of the previous ones would pass for their answer
      if (exc instanceof ApiError) [data, failed] = [null, true];
      banners.show("load", exc instanceof ApiError ? errorText(exc.detail, exc.data) : t("banner.network"), "error");
    }
    render();
  };
  document.addEventListener("keydown", (e) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "/") { e.preventDefault(); root.querySelector<HTMLElement>("[data-filter]")?.focus(); }
    if ((e.key === "n" || e.key === "p") && data) {
      const page = state.page + (e.key === "n" ? 1 : -1);
      if (page >= 1 && page <= pageCount(data.count)) go({ ...state, page });
    }
  });
  render();
  void load();
  return { render };
}
