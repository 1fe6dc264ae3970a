/**
 * /studio/campaigns/ (admins): the campaign list and the create/edit form. The list shows open
 * campaigns first and archived (closed) ones below; "N" opens a new form, Ctrl+Enter saves,
 * Esc cancels. `?edit=<id>` or `?new=1` in the URL reopens the form after a reload.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h, isTyping } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { formChanged, formValues, readForm, renderCampaignForm, toPayload, type FormValues } from "./campaignForm";
import type { AdminConfig, CampaignSettings, FieldErrors, Page } from "./types";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

/** `opened`: the values the form opened with, to tell whether Esc would throw away typing. */
type Editing = { id: number | null; values: FormValues; errors: FieldErrors; opened: FormValues } | null;

function campaignRow(c: CampaignSettings, config: AdminConfig, actions: { edit: () => void; archive: () => void }): HTMLElement {
  const archived = c.status === "closed";
  return h("tr", { "data-campaign": c.id },
    h("th", { scope: "row" }, h("span", {}, c.name), h("span", { class: "muted slug" }, ` ${c.slug}`)),
    h("td", {}, h("span", { class: `badge status-${c.status}` }, t(`adm.choice.status.${c.status}` as MessageKey))),
    h("td", {}, t(`adm.choice.protocol.${c.protocol}` as MessageKey)),
    h("td", { class: "num" }, c.overlap),
    h("td", { class: "num" }, c.pairs),
    h("td", {}, h("div", { class: "row-actions" },
      h("button", { type: "button", class: "btn btn-small", "data-action": "edit", onclick: actions.edit }, t("adm.campaigns.edit")),
      archived ? null : h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "archive", onclick: actions.archive }, t("adm.campaigns.archive")),
      // the imports page offers open campaigns only: an archived one would silently become "no campaign"
      archived ? null : h("a", { class: "btn btn-small btn-ghost", href: `${config.urls.imports}?campaign=${c.id}` }, t("adm.campaigns.importInto")),
      h("a", { class: "btn btn-small btn-ghost", href: `/review/${c.id}/` }, t("adm.campaigns.review")))));
}

export function campaignTable(campaigns: CampaignSettings[], config: AdminConfig, onEdit: (c: CampaignSettings) => void, onArchive: (c: CampaignSettings) => void): HTMLElement {
  const head = ["adm.col.name", "adm.col.status", "adm.col.protocol", "adm.col.overlap", "adm.col.pairs", "adm.col.actions"] as const;
  return h("div", { class: "table-wrap" }, h("table", { class: "table campaigns" },
    h("thead", {}, h("tr", {}, ...head.map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, ...campaigns.map((c) => campaignRow(c, config, { edit: () => onEdit(c), archive: () => onArchive(c) })))));
}

export class CampaignsPage {
  private campaigns: CampaignSettings[] = [];
  private editing: Editing = null;
  private busy = false;
  /** The guidelines as stored, so only edited ones are sent (they are shared between campaigns). */
  private readonly saved: Record<string, string>;

  constructor(private readonly root: HTMLElement, private readonly config: AdminConfig, private readonly api: Api, private readonly chrome: Chrome) {
    this.saved = Object.fromEntries(config.dimensions.map((d) => [d.key, d.guideline]));
    document.addEventListener("keydown", (e) => this.onKey(e));
    const query = new URLSearchParams(window.location.search);
    void this.load().then(() => {
      const found = this.campaigns.find((c) => c.id === Number(query.get("edit")));
      if (found) this.open(found);
      else if (query.get("new")) this.open(null);
    });
  }

  /** Re-render keeping what is typed in an open form (the language switcher calls this). */
  refresh(): void {
    const form = this.form();
    if (form && this.editing && !this.busy) this.editing.values = readForm(form, this.config.dimensions);
    // the banner's text was picked in the old language; field errors are the server's and stay
    if (this.editing && Object.keys(this.editing.errors).length) this.chrome.banners.show("request", t("adm.form.invalid"), "error");
    this.render();
  }

  private form(): HTMLFormElement | null {
    return this.root.querySelector<HTMLFormElement>("form[data-form=campaign]");
  }

  private fail(exc: unknown): void {
    this.chrome.banners.show("request", t("adm.failed", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
  }

  private setUrl(): void {
    const q = this.editing ? (this.editing.id ? `?edit=${this.editing.id}` : "?new=1") : "";
    history.replaceState(null, "", `${window.location.pathname}${q}`);
  }

  private open(c: CampaignSettings | null): void {
    const values = formValues(c, this.config.dimensions);
    this.editing = { id: c?.id ?? null, values, errors: {}, opened: values };
    this.setUrl();
    this.render();
    this.root.querySelector<HTMLInputElement>("#f-name")?.focus();
  }

  private close(): void {
    this.editing = null;
    this.setUrl();
    this.render();
    this.root.querySelector<HTMLElement>("[data-action=new]")?.focus();
  }

  private async load(): Promise<void> {
    try {
      this.campaigns = (await this.api.get<Page<CampaignSettings>>("/api/campaigns/?limit=1000")).results;
    } catch (exc) {
      this.fail(exc);
    }
    this.render();
  }

  private async save(form: HTMLFormElement): Promise<void> {
    if (!this.editing || this.busy) return;
    const values = readForm(form, this.config.dimensions);
    const id = this.editing.id;
    this.editing = { ...this.editing, values };
    this.busy = true;
    this.render();
    try {
      const body = toPayload(values, this.saved);
      const c = id ? await this.api.patch<CampaignSettings>(`/api/campaigns/${id}/`, body) : await this.api.post<CampaignSettings>("/api/campaigns/", body);
      Object.assign(this.saved, body.guidelines as Record<string, string>);
      this.chrome.toasts.show(id ? t("adm.campaigns.saved", { name: c.name }) : t("adm.campaigns.created", { name: c.name, id: c.id }));
      this.chrome.banners.clear("request");
      this.busy = false;
      this.close();
      await this.load();
    } catch (exc) {
      this.busy = false;
      this.showErrors(exc);
    }
  }

  /** Field errors go next to their fields (focus on the first); anything else to a banner. */
  private showErrors(exc: unknown): void {
    const fields = exc instanceof ApiError ? ((exc.data as { fields?: FieldErrors } | null)?.fields ?? null) : null;
    if (fields && this.editing) {
      this.editing = { ...this.editing, errors: fields };
      this.chrome.banners.show("request", t("adm.form.invalid"), "error");
    } else {
      this.fail(exc);
    }
    this.render();
    this.root.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
  }

  private async archive(c: CampaignSettings): Promise<void> {
    if (!window.confirm(t("adm.campaigns.archiveConfirm", { name: c.name }))) return;
    try {
      await this.api.post(`/api/campaigns/${c.id}/archive/`);
      this.chrome.toasts.show(t("adm.campaigns.archived", { name: c.name }));
    } catch (exc) {
      this.fail(exc);
    }
    await this.load();
    // its row moved to the archived table and the pressed button is gone: keep the keyboard on the row
    this.root.querySelector<HTMLElement>(`tr[data-campaign="${c.id}"] [data-action=edit]`)?.focus();
  }

  private formCard(): HTMLElement {
    if (!this.editing) return h("span", { hidden: true });
    const current = this.campaigns.find((c) => c.id === this.editing?.id);
    const form = renderCampaignForm(this.editing.values, { dimensions: this.config.dimensions, choices: this.config.choices, errors: this.editing.errors, editing: current?.name ?? null, busy: this.busy });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save(form);
    });
    form.querySelector("[data-action=cancel]")?.addEventListener("click", () => this.close());
    return form;
  }

  private table(list: CampaignSettings[]): HTMLElement {
    return campaignTable(list, this.config, (c) => this.open(c), (c) => void this.archive(c));
  }

  private render(): void {
    const live = this.campaigns.filter((c) => c.status !== "closed");
    const archived = this.campaigns.filter((c) => c.status === "closed");
    this.root.replaceChildren(
      h("div", { class: "page-head" }, h("h1", {}, t("adm.campaigns.heading")),
        h("button", { type: "button", class: "btn btn-primary", "data-action": "new", onclick: () => this.open(null) }, t("adm.campaigns.new"), h("kbd", {}, "N")),
        h("a", { class: "back", href: this.config.urls.imports }, t("adm.nav.imports"))),
      this.formCard(),
      h("section", { class: "card", "data-list": "open" }, live.length ? this.table(live) : h("p", { class: "empty-state" }, t("adm.campaigns.empty"))),
      archived.length ? h("section", { class: "card", "data-list": "archived" }, h("h2", {}, t("adm.campaigns.archivedSection")), this.table(archived)) : h("span", { hidden: true }),
    );
  }

  /** Esc is pressed out of habit (to leave a field): it closes at once only when nothing was changed. */
  private escape(form: HTMLFormElement | null): void {
    const changed = form !== null && this.editing !== null && formChanged(this.editing.opened, readForm(form, this.config.dimensions));
    if (!changed || window.confirm(t("adm.form.discardConfirm"))) this.close();
  }

  private onKey(e: KeyboardEvent): void {
    const form = this.form();
    if (e.key === "Escape" && this.editing) this.escape(form);
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && form) void this.save(form);
    else if (e.key.toLowerCase() === "n" && !this.editing && !isTyping(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      this.open(null);
    }
  }
}
