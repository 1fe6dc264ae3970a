/**
 * /studio/exports/ (admins): freeze a dataset version from the form, watch its build, read its
 * card and hash, download it as one archive. Polls every 5 s while a build is queued or running,
 * every 30 s otherwise, slower while the tab is hidden or requests fail (lib/poll.ts).
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h } from "../lib/dom";
import { keepFocus } from "../lib/focus";
import { t } from "../lib/i18n";
import { Poller } from "../lib/poll";
import { listPollDelay } from "../runs/format";
import { card } from "../runs/widgets";
import { archiveUrl, isBuilding } from "./format";
import { createForm } from "./form";
import type { ArchiveKind, CreateBody, DatasetVersion, ExportsConfig } from "./types";
import { versionCard, versionsTable } from "./versions";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

/** Everything the page's functions share: configuration, state, and the four slots they draw into. */
interface Ctx {
  config: ExportsConfig;
  api: Api;
  chrome: Chrome;
  versions: DatasetVersion[];
  selected: number | null;
  readme: Map<number, string>;
  kind: ArchiveKind;
  busy: boolean;
  poller: Poller;
  slots: { head: HTMLElement; form: HTMLElement; list: HTMLElement; detail: HTMLElement };
}

const failure = (exc: unknown) => t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") });

export async function fetchCard(version: DatasetVersion): Promise<string> {
  const file = version.files.find((f) => f.path === "README.md");
  if (!file) return "";
  const response = await window.fetch(file.url, { credentials: "same-origin" });
  return response.ok ? response.text() : t("exports.cardUnavailable");
}

/** The form is rebuilt only on a language change (a poll must not wipe what is being typed). */
function renderForm(ctx: Ctx): void {
  ctx.slots.form.replaceChildren(card("create", t("exports.createTitle"), createForm(ctx.config, ctx.busy, (body) => void create(ctx, body))));
}

function render(ctx: Ctx): void {
  const { slots, config } = ctx;
  const chosen = ctx.versions.find((v) => v.id === ctx.selected) ?? null;
  const onKind = (k: ArchiveKind) => {
    ctx.kind = k; // only the link changes: re-rendering would take the focus off the select
    slots.detail.querySelector("[data-action=download]")?.setAttribute("href", archiveUrl(config.urls.api, ctx.selected ?? 0, k));
  };
  slots.head.replaceChildren(h("h1", {}, t("exports.title")));
  keepFocus(slots.list, () => slots.list.replaceChildren(card("versions", t("exports.listTitle"), versionsTable(ctx.versions, ctx.selected, (id) => select(ctx, id)))));
  const actions = { onKind, onBuildAgain: (v: DatasetVersion) => void buildAgain(ctx, v) };
  keepFocus(slots.detail, () => slots.detail.replaceChildren(...(chosen ? [versionCard(chosen, ctx.readme.get(chosen.id) ?? null, config.urls.api, ctx.kind, actions)] : [])));
  slots.form.querySelector("button[type=submit]")?.toggleAttribute("disabled", ctx.busy || config.campaigns.length === 0);
}

function select(ctx: Ctx, id: number): void {
  ctx.selected = id;
  render(ctx);
  void loadCard(ctx);
  const heading = ctx.slots.detail.querySelector<HTMLElement>("h2");
  heading?.setAttribute("tabindex", "-1");
  heading?.focus();
}

async function loadCard(ctx: Ctx): Promise<void> {
  const chosen = ctx.versions.find((v) => v.id === ctx.selected);
  if (!chosen || chosen.status !== "ready" || ctx.readme.has(chosen.id)) return;
  ctx.readme.set(chosen.id, await fetchCard(chosen).catch(() => t("exports.cardUnavailable")));
  render(ctx);
}

/** One poll of the versions list; true when it answered. */
async function load(ctx: Ctx, fresh: () => boolean): Promise<boolean> {
  let ok = true;
  try {
    const versions = (await ctx.api.get<{ results: DatasetVersion[] }>("/api/datasets/?limit=50")).results;
    if (!fresh()) return true;
    ctx.versions = versions;
    ctx.chrome.banners.clear("load");
  } catch (exc) {
    ok = false;
    ctx.chrome.banners.show("load", failure(exc), "error");
  }
  render(ctx);
  void loadCard(ctx);
  return ok;
}

async function create(ctx: Ctx, body: CreateBody): Promise<void> {
  if (ctx.busy) return;
  ctx.busy = true;
  render(ctx);
  try {
    const version = await ctx.api.post<DatasetVersion>("/api/datasets/", body);
    ctx.chrome.toasts.show(t("exports.created", { id: version.id }));
    ctx.chrome.banners.clear("create");
    ctx.selected = version.id;
  } catch (exc) {
    ctx.chrome.banners.show("create", failure(exc), "error");
  }
  ctx.busy = false;
  await ctx.poller.now();
}

/** A failed build queued again (same version, same description). */
async function buildAgain(ctx: Ctx, version: DatasetVersion): Promise<void> {
  try {
    await ctx.api.post(`/api/datasets/${version.id}/build/`);
    ctx.chrome.toasts.show(t("exports.created", { id: version.id }));
  } catch (exc) {
    ctx.chrome.banners.show("create", failure(exc), "error");
  }
  await ctx.poller.now();
}

export function mountExports(root: HTMLElement, config: ExportsConfig, api: Api, chrome: Chrome): { render: () => void } {
  const slots = { head: h("div", { class: "page-head" }), form: h("div"), list: h("div"), detail: h("div") };
  root.replaceChildren(slots.head, slots.form, slots.list, slots.detail);
  const poller = new Poller({
    tick: (fresh) => load(ctx, fresh),
    delay: (s) => listPollDelay(ctx.versions.some(isBuilding), s),
  });
  const ctx: Ctx = { config, api, chrome, versions: [], selected: null, readme: new Map(), kind: "zip", busy: false, poller, slots };
  renderForm(ctx);
  render(ctx);
  void poller.start();
  return {
    render: () => {
      renderForm(ctx);
      render(ctx);
    },
  };
}
