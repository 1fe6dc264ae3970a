/**
 * The adjudication panel of the review page: both videos (A left, B right, as the strengths are
 * A/B), the prompt, every annotator's answer per dimension in words, the crowd's consensus, and a
 * form that records the reviewer's answer per dimension (POST /api/pairs/{id}/adjudicate/).
 * Modal and keyboard first: it opens with focus on the first disputed dimension, Tab stays inside,
 * Esc closes and the focus returns to the queue row that opened it.
 */
import { ApiError, type Api } from "../lib/api";
import { h, icon } from "../lib/dom";
import { t } from "../lib/i18n";
import { adjudicationBody, type QueueAdjudication, type QueueItem } from "./adjudication";
import { adjudicationVideo, answersTable, pickedStrengths } from "./adjudicationView";
import { mountSegmentsOverlay } from "./segmentsView";

export interface PanelContext {
  api: Api;
  /** Campaign dimension keys in display order. */
  dimensions: string[];
  dimName: (key: string) => string;
  onSaved: (item: QueueItem, adjudications: QueueAdjudication[]) => void;
}

const FOCUSABLE = "button, select, textarea, input, video[controls], [tabindex]:not([tabindex='-1'])";

export class AdjudicationPanel {
  private readonly panel = h("div", { class: "overlay-panel adj-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "adj-title", tabindex: -1 });
  private readonly el = h("div", { class: "overlay", hidden: true, id: "adjudication" }, this.panel);
  private returnFocusId = "";
  private saving = false;

  constructor(private readonly ctx: PanelContext) {
    document.body.append(this.el);
    this.el.addEventListener("mousedown", (e) => {
      if (e.target === this.el) this.close();
    });
    this.el.addEventListener("keydown", (e) => this.onKey(e));
    // Escape closes the modal wherever the focus is (right after opening it may still be on the row).
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.isOpen && !this.el.contains(e.target as Node)) {
        e.preventDefault();
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(item: QueueItem, returnFocusId: string): void {
    this.returnFocusId = returnFocusId;
    this.saving = false;
    this.panel.replaceChildren(...this.content(item));
    this.panel.dataset.pair = String(item.pair);
    this.el.hidden = false;
    const first = this.panel.querySelector<HTMLElement>("[data-autofocus]") ?? this.panel;
    first.focus({ preventScroll: false }); // visible now: focus moves in before any key can arrive
  }

  close(): void {
    if (!this.isOpen) return;
    this.panel.querySelectorAll("video").forEach((v) => v.pause());
    this.el.hidden = true;
    this.panel.replaceChildren();
    // The dashboard re-renders on every poll: find the row again by id rather than keep the node.
    document.getElementById(this.returnFocusId)?.focus({ preventScroll: true });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "Escape") {
      e.preventDefault();
      this.close();
    } else if (e.key === "Tab") {
      const items = [...this.panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("disabled"));
      if (!items.length) return;
      const [first, last] = [items[0], items[items.length - 1]];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === this.panel)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  private content(item: QueueItem): Node[] {
    const { dimensions, dimName } = this.ctx;
    const { table, selects } = answersTable(item, dimensions, dimName);
    const playBoth = h("button", { type: "button", class: "btn btn-ghost", onclick: () => this.panel.querySelectorAll("video").forEach((v) => void v.play().catch(() => undefined)) }, icon("play", "icon icon-sm"), t("review.adj.playBoth"));
    const note = h("textarea", { id: "adj-note", class: "adj-note", maxlength: 1000, rows: 2 });
    note.value = item.adjudications?.find((a) => a.note)?.note ?? "";
    const status = h("p", { class: "adj-status", role: "status", "aria-live": "polite" });
    const save = h("button", { type: "submit", class: "btn btn-primary", id: "adj-save" }, icon("check", "icon icon-sm"), t("review.adj.save"));
    const form = h(
      "form",
      { class: "adj-form" },
      table,
      h("label", { for: "adj-note", class: "adj-label" }, t("review.adj.note")),
      note,
      status,
      h("div", { class: "dialog-actions" }, h("button", { type: "button", class: "btn", onclick: () => this.close() }, t("review.adj.cancel")), save),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save(item, adjudicationBody(pickedStrengths(selects), note.value, dimensions), status, save);
    });
    const close = h("button", { type: "button", class: "overlay-close", "aria-label": t("help.close"), title: "Esc", onclick: () => this.close() }, icon("close"));
    return [
      h("header", { class: "overlay-head" }, h("h2", { id: "adj-title" }, t("review.adj.title", { id: item.pair })), close),
      h("p", { class: "adj-prompt" }, h("span", { class: "muted" }, `${t("review.adj.prompt")} `), item.prompt?.text ?? "—"),
      h("div", { class: "adj-videos" }, adjudicationVideo("a", item.video_a), adjudicationVideo("b", item.video_b)),
      h("div", { class: "adj-video-tools" }, playBoth, h("span", { class: "muted help" }, t("review.adj.convention"))),
      mountSegmentsOverlay(this.ctx.api, item.pair, { dimensions, dimName, ids: { a: item.video_a?.id, b: item.video_b?.id } }),
      form,
    ];
  }

  private async save(item: QueueItem, body: ReturnType<typeof adjudicationBody>, status: HTMLElement, button: HTMLButtonElement): Promise<void> {
    if (this.saving) return;
    if (!body) {
      status.textContent = t("review.adj.nothing");
      return;
    }
    this.saving = true;
    button.disabled = true;
    status.textContent = t("review.adj.saving");
    try {
      const result = await this.ctx.api.post<{ adjudications: QueueAdjudication[] }>(`/api/pairs/${item.pair}/adjudicate/`, body);
      this.ctx.onSaved(item, result.adjudications);
      this.close();
    } catch (exc) {
      status.textContent = exc instanceof ApiError ? exc.detail : t("banner.network");
      this.saving = false;
      button.disabled = false;
    }
  }
}
