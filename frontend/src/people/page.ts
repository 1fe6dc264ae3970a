/**
 * /studio/people/ (admins): invite someone (the one-time link is shown once), edit roles,
 * pause/resume, reset a password (a new link), read each person's statistics.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h } from "../lib/dom";
import { keepFocus } from "../lib/focus";
import { t } from "../lib/i18n";
import { card } from "../runs/widgets";
import { inviteForm, linkCard, type InviteBody } from "./invite";
import { peopleTable } from "./table";
import type { IssuedLink, PeopleConfig, Person, PersonActions } from "./types";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

interface Ctx {
  config: PeopleConfig;
  api: Api;
  chrome: Chrome;
  people: Person[];
  /** The person an action is running for (-1: the invitation), or null. */
  busy: number | null;
  issued: IssuedLink | null;
  slots: { head: HTMLElement; form: HTMLElement; link: HTMLElement; table: HTMLElement };
}

function failed(ctx: Ctx, exc: unknown): void {
  ctx.chrome.banners.show("people", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
}

async function load(ctx: Ctx): Promise<void> {
  try {
    ctx.people = await ctx.api.get<Person[]>("/api/people/");
    ctx.chrome.banners.clear("people");
  } catch (exc) {
    failed(ctx, exc);
  }
  render(ctx);
}

/** One action at a time per person; `call` returns the toast text. */
async function act(ctx: Ctx, person: Person | null, call: () => Promise<string>): Promise<void> {
  ctx.busy = person?.id ?? -1;
  render(ctx);
  try {
    ctx.chrome.toasts.show(await call());
    ctx.chrome.banners.clear("people");
  } catch (exc) {
    failed(ctx, exc);
  }
  ctx.busy = null;
  await load(ctx);
}

function showLink(ctx: Ctx, link: IssuedLink): void {
  ctx.issued = link;
  renderLink(ctx);
  ctx.slots.link.querySelector<HTMLElement>("#card-link-title")?.focus();
}

function personActions(ctx: Ctx): PersonActions {
  const post = <T,>(path: string, body?: unknown) => ctx.api.post<T>(path, body);
  return {
    saveRoles: (p, roles) => void act(ctx, p, async () => (await post(`/api/people/${p.id}/roles/`, { roles }), t("people.rolesSaved", { name: p.username }))),
    pause: (p) => {
      const reason = window.prompt(t("people.pauseReason", { name: p.username }))?.trim();
      if (reason) void act(ctx, p, async () => (await post(`/api/people/${p.id}/pause/`, { reason }), t("people.paused", { name: p.username })));
    },
    resume: (p) => void act(ctx, p, async () => (await post(`/api/people/${p.id}/resume/`), t("people.resumed", { name: p.username }))),
    reset: (p) => {
      if (!window.confirm(t("people.resetConfirm", { name: p.username }))) return;
      void act(ctx, p, async () => (showLink(ctx, await post<IssuedLink>(`/api/people/${p.id}/reset-password/`)), t("people.linkTitle", { name: p.username })));
    },
  };
}

function invite(ctx: Ctx, body: InviteBody): void {
  void act(ctx, null, async () => {
    showLink(ctx, await ctx.api.post<IssuedLink>("/api/people/", body));
    ctx.slots.form.querySelector("form")?.reset();
    return t("people.created", { name: body.username });
  });
}

function renderForm(ctx: Ctx): void {
  ctx.slots.form.replaceChildren(card("invite", t("people.createTitle"), inviteForm(ctx.config.roles, false, (body) => invite(ctx, body))));
}

function renderLink(ctx: Ctx): void {
  ctx.slots.link.replaceChildren(...(ctx.issued ? [linkCard(ctx.issued, () => ctx.chrome.toasts.show(t("people.copied")))] : []));
}

function render(ctx: Ctx): void {
  const { slots } = ctx;
  slots.head.replaceChildren(h("h1", {}, t("people.title")));
  const table = peopleTable(ctx.people, ctx.config.roles, ctx.config.user.id, ctx.busy, personActions(ctx));
  keepFocus(slots.table, () => slots.table.replaceChildren(card("people", t("people.listTitle"), table)));
  slots.form.querySelector("button[type=submit]")?.toggleAttribute("disabled", ctx.busy === -1);
}

export function mountPeople(root: HTMLElement, config: PeopleConfig, api: Api, chrome: Chrome): { render: () => void } {
  const slots = { head: h("div", { class: "page-head" }), form: h("div"), link: h("div"), table: h("div") };
  root.replaceChildren(slots.head, slots.form, slots.link, slots.table);
  const ctx: Ctx = { config, api, chrome, people: [], busy: null, issued: null, slots };
  renderForm(ctx);
  render(ctx);
  void load(ctx);
  return {
    render: () => {
      renderForm(ctx);
      renderLink(ctx);
      render(ctx);
    },
  };
}
