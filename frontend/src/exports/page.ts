/**
 * /studio/exports/ (admins): freeze a dataset version from the form, watch its build, read its
 * card and hash, download it as one archive. Polls every 5 s while a build is queued or running,
 * every 30 s otherwise, slower while the tab is hidden (runs/poll.ts).
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h } from "../lib/dom";
import { keepFocus } from "../lib/focus";
import { t } from "../lib/i18n";
import { listPollDelay, type PollState } from "../runs/poll";
import { card } from "../runs/widgets";
import { archiveUrl, isBuilding } from "./format";
import { createForm } from "./form";
import type { ArchiveKind, CreateBody, DatasetVersion, ExportsConfig } from "./types";
import { versionCard, versionsTable } from "./versions";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

interface State {
  versions: DatasetVersion[];
  selected: number | null;
  readme: Map<number, string>;
  kind: ArchiveKind;
  busy: boolean;
}

export async function fetchCard(version: DatasetVersion): Promise<string> {
  const file = version.files.find((f) => f.path === "README.md");
  if (!file) return "";
  const response = await window.fetch(file.url, { credentials: "same-origin" });
  return response.ok ? response.text() : t("exports.cardUnavailable");
}

export function mountExports(root: HTMLElement, config: ExportsConfig, api: Api, chrome: Chrome): { render: () => void } {
  const state: State = { versions: [], selected: null, readme: new Map(), kind: "zip", busy: false };
  const poll: PollState = { hiddenPolls: 0, failures: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;

  const head = h("div", { class: "page-head" });
  const formSlot = h("div");
  const listSlot = h("div");
  const detailSlot = h("div");
  root.replaceChildren(head, formSlot, listSlot, detailSlot);

  // Only the button reacts to `busy`: the form itself is rebuilt on a language change, never by a poll.
  const renderForm = () => formSlot.replaceChildren(card("create", t("exports.createTitle"), createForm(config.campaigns, state.busy, (body) => void create(body))));
  const onKind = (k: ArchiveKind) => {
    state.kind = k;
    detailSlot.querySelector<HTMLAnchorElement>("[data-action=download]")?.setAttribute("href", archiveUrl(config.urls.api, state.selected ?? 0, k));
  };
  const render = () => {
    const chosen = state.versions.find((v) => v.id === state.selected) ?? null;
    head.replaceChildren(h("h1", {}, t("exports.title")));
    keepFocus(listSlot, () => listSlot.replaceChildren(card("versions", t("exports.listTitle"), versionsTable(state.versions, state.selected, select))));
    keepFocus(detailSlot, () => detailSlot.replaceChildren(...(chosen ? [versionCard(chosen, state.readme.get(chosen.id) ?? null, config.urls.api, state.kind, onKind)] : [])));
    formSlot.querySelector<HTMLButtonElement>("button[type=submit]")?.toggleAttribute("disabled", state.busy || config.campaigns.length === 0);
  };
  const select = (id: number) => {
    state.selected = id;
    render();
    void loadCard();
    const heading = document.querySelector<HTMLElement>("[data-card=version] h2");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  };
  const loadCard = async () => {
    const chosen = state.versions.find((v) => v.id === state.selected);
    if (!chosen || chosen.status !== "ready" || state.readme.has(chosen.id)) return;
    state.readme.set(chosen.id, await fetchCard(chosen).catch(() => t("exports.cardUnavailable")));
    render();
  };
  const load = async () => {
    clearTimeout(timer);
    try {
      state.versions = (await api.get<{ results: DatasetVersion[] }>("/api/datasets/?limit=50")).results;
      poll.failures = 0;
      chrome.banners.clear("load");
    } catch (exc) {
      poll.failures += 1;
      chrome.banners.show("load", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
    }
    poll.hiddenPolls = document.hidden ? poll.hiddenPolls + 1 : 0;
    render();
    void loadCard();
    timer = setTimeout(() => void load(), listPollDelay(state.versions.some(isBuilding), poll));
  };
  const create = async (body: CreateBody) => {
    if (state.busy) return;
    state.busy = true;
    render();
    try {
      const version = await api.post<DatasetVersion>("/api/datasets/", body);
      chrome.toasts.show(t("exports.created", { id: version.id }));
      chrome.banners.clear("create");
      state.selected = version.id;
    } catch (exc) {
      chrome.banners.show("create", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
    }
    state.busy = false;
    await load();
  };
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) void load();
  });
  renderForm();
  render();
  void load();
  return {
    render: () => {
      renderForm();
      render();
    },
  };
}
