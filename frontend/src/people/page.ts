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

export function mountPeople(root: HTMLElement, config: PeopleConfig, api: Api, chrome: Chrome): { render: () => void } {
  let people: Person[] = [];
  let busy: number | null = null;
  let issued: IssuedLink | null = null;
  const [head, formSlot, linkSlot, tableSlot] = [h("div", { class: "page-head" }), h("div"), h("div"), h("div")];
  root.replaceChildren(head, formSlot, linkSlot, tableSlot);

  const failed = (exc: unknown) =>
    chrome.banners.show("people", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
  const load = async () => {
    try {
      people = await api.get<Person[]>("/api/people/");
      chrome.banners.clear("people");
    } catch (exc) {
      failed(exc);
    }
    render();
  };
  /** One action at a time per person; `call` returns the toast text. */
  const act = async (person: Person | null, call: () => Promise<string>) => {
    busy = person?.id ?? -1;
    render();
    try {
      chrome.toasts.show(await call());
      chrome.banners.clear("people");
    } catch (exc) {
      failed(exc);
    }
    busy = null;
    await load();
  };
  const showLink = (link: IssuedLink) => {
    issued = link;
    renderLink();
    linkSlot.querySelector<HTMLElement>("#card-link-title")?.focus();
  };
  const actions: PersonActions = {
    saveRoles: (p, roles) => void act(p, async () => (await api.post(`/api/people/${p.id}/roles/`, { roles }), t("people.rolesSaved", { name: p.username }))),
    pause: (p) => {
      const reason = window.prompt(t("people.pauseReason", { name: p.username }))?.trim();
      if (reason) void act(p, async () => (await api.post(`/api/people/${p.id}/pause/`, { reason }), t("people.paused", { name: p.username })));
    },
    resume: (p) => void act(p, async () => (await api.post(`/api/people/${p.id}/resume/`), t("people.resumed", { name: p.username }))),
    reset: (p) => {
      if (!window.confirm(t("people.resetConfirm", { name: p.username }))) return;
      void act(p, async () => (showLink(await api.post<IssuedLink>(`/api/people/${p.id}/reset-password/`)), t("people.linkTitle", { name: p.username })));
    },
  };
  const invite = (body: InviteBody) =>
    void act(null, async () => {
      showLink(await api.post<IssuedLink>("/api/people/", body));
      formSlot.querySelector<HTMLFormElement>("form")?.reset();
      return t("people.created", { name: body.username });
    });

  const renderForm = () => formSlot.replaceChildren(card("invite", t("people.createTitle"), inviteForm(config.roles, false, invite)));
  const renderLink = () => linkSlot.replaceChildren(...(issued ? [linkCard(issued, () => chrome.toasts.show(t("people.copied")))] : []));
  const render = () => {
    head.replaceChildren(h("h1", {}, t("people.title")));
    keepFocus(tableSlot, () => tableSlot.replaceChildren(card("people", t("people.listTitle"), peopleTable(people, config.roles, config.user.id, busy, actions))));
    formSlot.querySelector<HTMLButtonElement>("button[type=submit]")?.toggleAttribute("disabled", busy === -1);
  };
  renderForm();
  render();
  void load();
  return {
    render: () => {
      renderForm();
      renderLink();
      render();
    },
  };
}
