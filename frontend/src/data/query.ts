/**
 * Pure state of the data browser: which tab, filters and page the URL's query string holds, and
 * the API query for them. No DOM, so Vitest checks it directly.
 */
import type { Tab } from "./types";

export const TABS: readonly Tab[] = ["videos", "pairs", "judgments", "flags"];
export type FilterName = "campaign" | "generator" | "status" | "annotator" | "dimension" | "agreement" | "gold";
export const FILTERS: readonly FilterName[] = ["campaign", "generator", "status", "annotator", "dimension", "agreement", "gold"];

/** The filters each tab offers (the API accepts exactly these; see selectors/data_browser.py). */
export const TAB_FILTERS: Record<Tab, readonly FilterName[]> = {
  videos: ["campaign", "generator", "status"],
  pairs: ["campaign", "generator", "status", "annotator", "dimension", "agreement", "gold"],
  judgments: ["campaign", "generator", "status", "annotator", "dimension", "agreement", "gold"],
  flags: ["campaign", "generator", "status", "annotator", "gold"],
};

export const STATUSES: Record<Tab, readonly string[]> = {
  videos: ["pending", "ready", "failed"],
  pairs: ["open", "in_progress", "complete"],
  judgments: ["edited", "original"],
  flags: ["open", "resolved"],
};

export const PAGE_SIZE = 25;

export interface BrowserState {
  tab: Tab;
  filters: Partial<Record<FilterName, string>>;
  page: number;
}

export function parseState(search: string): BrowserState {
  const q = new URLSearchParams(search);
  const tab = (TABS as readonly string[]).includes(q.get("tab") ?? "") ? (q.get("tab") as Tab) : "judgments";
  const filters: BrowserState["filters"] = {};
  for (const name of TAB_FILTERS[tab]) {
    const value = q.get(name);
    if (value) filters[name] = value;
  }
  const page = Math.max(1, Math.floor(Number(q.get("page")) || 1));
  return { tab, filters, page };
}

/** The page's own query string (tab, filters, page > 1), kept in the address bar. */
export function stateQuery(state: BrowserState): string {
  const q = new URLSearchParams({ tab: state.tab });
  for (const name of TAB_FILTERS[state.tab]) if (state.filters[name]) q.set(name, state.filters[name] as string);
  if (state.page > 1) q.set("page", String(state.page));
  return q.toString();
}

/** GET /api/data/<tab>/?…: only the filters the tab offers, and the page. */
export function apiPath(state: BrowserState): string {
  const q = new URLSearchParams();
  for (const name of TAB_FILTERS[state.tab]) if (state.filters[name]) q.set(name, state.filters[name] as string);
  q.set("page", String(state.page));
  q.set("page_size", String(PAGE_SIZE));
  return `/api/data/${state.tab}/?${q}`;
}

/** Switching tabs keeps the filters the new tab also offers, except a status (its values differ). */
export function withTab(state: BrowserState, tab: Tab): BrowserState {
  const filters: BrowserState["filters"] = {};
  for (const name of TAB_FILTERS[tab]) if (name !== "status" && state.filters[name]) filters[name] = state.filters[name];
  return { tab, filters, page: 1 };
}

export function withFilter(state: BrowserState, name: FilterName, value: string): BrowserState {
  return { ...state, filters: { ...state.filters, [name]: value }, page: 1 };
}

export function pageCount(count: number): number {
  return Math.max(1, Math.ceil(count / PAGE_SIZE));
}

/** The tab after `tab` in a direction (arrow keys on the tab list wrap around). */
export function nextTab(tab: Tab, step: 1 | -1): Tab {
  return TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length];
}
