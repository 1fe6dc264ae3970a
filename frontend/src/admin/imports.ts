/**
 * /studio/imports/ (admins): pick a source (upload a manifest with its files, or a manifest in a
 * server folder under IMPORT_ROOTS) and a campaign, check it (a dry run: every row checked,
 * problems grouped by cause, nothing stored), import it once the check is clean, then follow the
 * media pipeline until no video is pending and show the summary. Changing any input asks for a
 * new check.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { Poller } from "../lib/poll";
import { progressPollDelay, renderPreview, renderProgress, renderSummary } from "./importView";
import type { AdminConfig, CampaignSettings, ImportFolder, ImportProgress, ImportReport, Page } from "./types";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

type Source = "upload" | "server";

export class ImportsPage {
  private source: Source = "upload";
  private folders: ImportFolder[] = [];
  private roots: string[] = [];
  private campaigns: CampaignSettings[] = [];
  private preview: ImportReport | null = null;
  private result: ImportReport | null = null;
  private progress: ImportProgress | null = null;
  private busy: "" | "check" | "import" = "";
  /** The progress of the last import; stopped when its inputs are forgotten, so no loop of an
   * earlier import runs beside the new one. */
  private poller: Poller | null = null;
  private readonly form: HTMLFormElement;
  private readonly out = h("div", { class: "import-results" });

  constructor(private readonly root: HTMLElement, private readonly config: AdminConfig, private readonly api: Api, private readonly chrome: Chrome) {
    this.form = h("form", { class: "card import-form", novalidate: true, "data-form": "import" });
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.form.addEventListener("change", () => this.inputsChanged());
    void this.load();
  }

  refresh(): void {
    this.render();
  }

  private fail(exc: unknown): void {
    this.chrome.banners.show("request", t("adm.failed", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
  }

  private async load(): Promise<void> {
    try {
      const [folders, campaigns] = await Promise.all([
        this.api.get<{ roots: string[]; folders: ImportFolder[] }>("/api/imports/folders/"),
        this.api.get<Page<CampaignSettings>>("/api/campaigns/?limit=1000"),
      ]);
      this.folders = folders.folders;
      this.campaigns = campaigns.results.filter((c) => c.status !== "closed");
      this.roots = folders.roots;
    } catch (exc) {
      this.fail(exc);
    }
    this.render();
  }

  /** Any edit after a check invalidates it: the import must be checked again first. */
  private inputsChanged(): void {
    const source = (this.form.querySelector<HTMLInputElement>("input[name=source]:checked")?.value ?? "upload") as Source;
    if (source !== this.source) {
      this.source = source;
      this.renderForm();
    }
    this.preview = null;
    this.forgetImport();
    this.renderResults();
  }

  /** The last import's progress and summary belong to other inputs: not shown under a new check. */
  private forgetImport(): void {
    this.poller?.stop();
    this.poller = null;
    this.result = null;
    this.progress = null;
  }

  /** The request: the bundle endpoint for uploads, the manifest endpoint for a server file. */
  private body(dryRun: boolean): { url: string; data: FormData } | null {
    const read = new FormData(this.form);
    const data = new FormData();
    const campaign = String(read.get("campaign") ?? "");
    if (campaign) data.append("campaign", campaign);
    data.append("on_duplicate", read.get("skip_duplicates") ? "skip" : "error");
    data.append("dry_run", dryRun ? "true" : "false");
    if (this.source === "server") {
      const path = String(read.get("server_manifest") ?? "");
      if (!path) return null;
      data.append("server_manifest", path);
      return { url: "/api/imports/", data };
    }
    const manifest = read.get("manifest");
    if (!(manifest instanceof File) || !manifest.name) return null;
    data.append("manifest", manifest);
    for (const f of read.getAll("files")) if (f instanceof File && f.name) data.append("files", f);
    return { url: "/api/imports/bundle/", data };
  }

  private async send(dryRun: boolean): Promise<void> {
    const request = this.body(dryRun);
    if (!request) {
      this.chrome.banners.show("request", t("adm.imports.needManifest"), "warn");
      return;
    }
    this.busy = dryRun ? "check" : "import";
    if (dryRun) this.forgetImport();
    this.chrome.banners.clear("request");
    this.syncButtons();
    try {
      const report = await this.api.post<ImportReport>(request.url, request.data);
      if (dryRun) this.preview = report;
      else this.started(report);
    } catch (exc) {
      this.rejected(exc);
    }
    this.busy = "";
    this.renderResults();
  }

  /** A refused import (someone changed a file since the check): show its groups as a new check. */
  private rejected(exc: unknown): void {
    const data = exc instanceof ApiError ? (exc.data as Partial<ImportReport> | null) : null;
    if (data?.error_groups) {
      this.preview = { prompts_created: 0, videos_created: 0, duplicates_skipped: 0, duplicates_paired: 0, pairs_created: 0, dry_run: true, video_ids: [], rows: 0, errors: data.errors ?? [], error_groups: data.error_groups };
      this.chrome.banners.show("request", t("adm.imports.rejected"), "error");
    } else {
      this.fail(exc);
    }
  }

  private started(report: ImportReport): void {
    this.result = report;
    this.preview = null;
    this.progress = null;
    this.poller?.stop();
    const videos = report.video_ids;
    this.poller = new Poller({
      tick: async (fresh) => {
        let ok = true;
        try {
          const progress = await this.api.post<ImportProgress>("/api/imports/progress/", { videos });
          if (!fresh()) return true;
          this.progress = progress;
        } catch {
          ok = false;
        }
        this.renderResults();
        return ok;
      },
      delay: (s) => progressPollDelay(this.progress, s),
    });
    void this.poller.start();
  }

  private render(): void {
    this.root.replaceChildren(
      h("div", { class: "page-head" }, h("h1", {}, t("adm.imports.heading")), h("a", { class: "back", href: this.config.urls.campaigns }, t("adm.nav.campaigns"))),
      this.form, this.out);
    this.renderForm();
    this.renderResults();
  }

  /** Rebuilds the fields (source or language changed); chosen files survive: their inputs are moved over. */
  private renderForm(): void {
    const selected = new URLSearchParams(window.location.search).get("campaign") ?? "";
    const kept = new FormData(this.form);
    const fileInputs = [...this.form.querySelectorAll<HTMLInputElement>("input[type=file]")];
    this.form.replaceChildren(...importFormFields({
      source: this.source, folders: this.folders, roots: this.roots, campaigns: this.campaigns,
      campaign: String(kept.get("campaign") ?? selected), skip: kept.get("skip_duplicates") !== null,
      manifest: kept.get("server_manifest") === null ? null : String(kept.get("server_manifest")),
    }));
    for (const old of fileInputs) this.form.querySelector(`#${old.id}`)?.replaceWith(old);
    this.form.querySelector("[data-action=check]")?.addEventListener("click", () => void this.send(true));
    this.form.querySelector("[data-action=import]")?.addEventListener("click", () => void this.send(false));
    this.syncButtons();
  }

  /** Import needs a clean check of the current inputs; nothing runs twice at once. */
  private syncButtons(): void {
    const check = this.form.querySelector<HTMLButtonElement>("[data-action=check]");
    const run = this.form.querySelector<HTMLButtonElement>("[data-action=import]");
    if (!check || !run) return;
    check.disabled = this.busy !== "";
    check.textContent = this.busy === "check" ? t("adm.imports.checking") : t("adm.imports.check");
    run.disabled = this.busy !== "" || !(this.preview && this.preview.error_groups.length === 0);
    run.textContent = this.busy === "import" ? t("adm.imports.importing") : t("adm.imports.run");
  }

  private renderResults(): void {
    this.out.replaceChildren(
      ...(this.preview ? [renderPreview(this.preview)] : []),
      ...(this.result && this.progress ? [renderProgress(this.progress)] : []),
      // only once processing is over: "Imported 10" beside "10 waiting" claimed what had not happened yet
      ...(this.result && this.progress?.pending === 0 ? [renderSummary(this.result, this.progress)] : []),
    );
    this.syncButtons();
  }
}

interface FormState {
  source: Source;
  folders: ImportFolder[];
  roots: string[];
  campaigns: CampaignSettings[];
  campaign: string;
  skip: boolean;
  /** The server manifest picked before a re-render; null: none yet (see defaultManifest). */
  manifest: string | null;
}

/** The server manifest preselected: the one picked before, else the first file named manifest.*
 * (a demo folder also holds ground_truth.jsonl, which is no import manifest), else the first. */
export function defaultManifest(paths: string[], picked: string | null): string | null {
  if (picked !== null && paths.includes(picked)) return picked;
  return paths.find((p) => /(^|\/)manifest\.[^/]+$/.test(p)) ?? paths[0] ?? null;
}

/** The form's fieldsets. File inputs are rebuilt only when the source changes (see inputsChanged). */
export function importFormFields(s: FormState): HTMLElement[] {
  const radio = (value: Source, label: string) =>
    h("label", { class: "check" }, h("input", { type: "radio", name: "source", value, checked: s.source === value }), h("span", {}, label));
  const upload = h("div", { class: "source-upload" },
    h("div", { class: "field" }, h("label", { for: "i-manifest" }, t("adm.imports.manifest")), h("input", { id: "i-manifest", name: "manifest", type: "file", accept: ".jsonl,.ndjson,.json,.csv" })),
    h("div", { class: "field" }, h("label", { for: "i-files" }, t("adm.imports.files")), h("input", { id: "i-files", name: "files", type: "file", multiple: true, accept: "image/*,video/*" })));
  const paths = s.folders.flatMap((f) => f.manifests.map((m) => ({ value: `${f.path}/${m}`, label: `${f.relative === "." ? "" : `${f.relative}/`}${m}` })));
  const chosen = defaultManifest(paths.map((p) => p.value), s.manifest);
  const options = paths.map((p) => h("option", { value: p.value, selected: p.value === chosen }, p.label));
  const server = options.length
    ? h("div", { class: "field" }, h("label", { for: "i-server" }, t("adm.imports.folder")), h("select", { id: "i-server", name: "server_manifest" }, ...options))
    : h("p", { class: "empty-state" }, t("adm.imports.noFolders", { roots: s.roots.join(", ") }));
  return [
    h("fieldset", { class: "sources" }, h("legend", {}, t("adm.imports.source")), radio("upload", t("adm.imports.upload")), radio("server", t("adm.imports.server"))),
    s.source === "upload" ? upload : server,
    h("div", { class: "field" }, h("label", { for: "i-campaign" }, t("adm.imports.campaign")),
      h("select", { id: "i-campaign", name: "campaign" }, h("option", { value: "" }, t("adm.imports.noCampaign")),
        ...s.campaigns.map((c) => h("option", { value: c.id, selected: String(c.id) === s.campaign }, `${c.name} (${c.slug})`)))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "skip_duplicates", checked: s.skip }), h("span", {}, t("adm.imports.skipDuplicates"))),
    h("div", { class: "form-actions" },
      h("button", { type: "button", class: "btn", "data-action": "check" }, t("adm.imports.check")),
      h("button", { type: "button", class: "btn btn-primary", "data-action": "import", disabled: true }, t("adm.imports.run"))),
  ];
}
