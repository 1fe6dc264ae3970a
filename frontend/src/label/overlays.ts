/** Help overlay, guidelines drawer, flag and skip dialogs. Each is built on open, so it is always in the current language. */
import { h, icon } from "../lib/dom";
import { dimensionText, t, type MessageKey } from "../lib/i18n";
import { KEY_HELP } from "../lib/keymap";
import type { Dimension, FlagReason } from "../lib/types";
import { orderedDimensions } from "./sheet";

export class Overlay {
  readonly el: HTMLElement;
  private readonly panel: HTMLElement;
  private returnFocus: HTMLElement | null = null;
  isOpen = false;

  constructor(
    private readonly kind: "dialog" | "drawer",
    private readonly onDismiss: () => void,
  ) {
    this.panel = h("div", { class: `overlay-panel overlay-${kind}`, role: "dialog", "aria-modal": kind === "dialog" ? "true" : "false", tabindex: -1 });
    this.el = h("div", { class: `overlay overlay-wrap-${kind}`, hidden: true }, this.panel);
    this.el.addEventListener("mousedown", (e) => {
      if (e.target === this.el) this.onDismiss();
    });
  }

  open(title: string, ...content: (Node | null)[]): void {
    const titleId = `overlay-title-${this.kind}`;
    const close = h("button", { type: "button", class: "overlay-close", "aria-label": t("help.close"), title: "Esc", onclick: () => this.onDismiss() }, icon("close"));
    this.panel.setAttribute("aria-labelledby", titleId);
    this.panel.replaceChildren(h("header", { class: "overlay-head" }, h("h2", { id: titleId }, title), close), ...content.filter((c): c is Node => !!c));
    if (!this.isOpen) this.returnFocus = document.activeElement as HTMLElement | null;
    this.isOpen = true;
    this.el.hidden = false;
    requestAnimationFrame(() => (this.panel.querySelector<HTMLElement>("[data-autofocus]") ?? this.panel).focus({ preventScroll: true }));
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.el.hidden = true;
    this.returnFocus?.focus?.({ preventScroll: true });
  }

  get body(): HTMLElement {
    return this.panel;
  }
}

export function helpContent(): HTMLElement {
  return h(
    "div",
    { class: "help" },
    h("p", { class: "muted" }, t("help.intro")),
    h(
      "div",
      { class: "help-grid" },
      ...KEY_HELP.map((section) =>
        h(
          "section",
          {},
          h("h3", {}, t(section.title)),
          h(
            "dl",
            { class: "help-list" },
            ...section.entries.flatMap((entry) => [
              h("dt", {}, ...entry.keys.map((k) => h("kbd", {}, k))),
              h("dd", {}, t(entry.label)),
            ]),
          ),
        ),
      ),
    ),
  );
}

export function guidelinesContent(dims: Dimension[], instructions: string, focusKey: string | null): HTMLElement {
  const items = orderedDimensions(dims).map((dim) => {
    const text = dimensionText(dim);
    return h(
      "article",
      { class: `guide-item${dim.key === focusKey ? " is-current" : ""}`, "data-dim": dim.key, id: `guide-${dim.key}` },
      h("h3", {}, text.name, h("span", { class: "guide-group" }, t(`group.${dim.group}` as MessageKey))),
      h("p", { class: "guide-def" }, text.definition),
      ...(dim.guideline || "").split("\n").filter(Boolean).map((line) => h("p", {}, line)),
    );
  });
  const intro = instructions.trim() ? h("section", { class: "guide-instructions" }, h("h3", {}, t("guide.instructions")), h("p", {}, instructions)) : null;
  const root = h("div", { class: "guide" }, intro, ...items);
  if (focusKey) requestAnimationFrame(() => root.querySelector(`#guide-${focusKey}`)?.scrollIntoView({ block: "start" }));
  return root;
}

export const FLAG_REASONS: FlagReason[] = ["broken_video", "inappropriate", "other"];

/** Mark one reason as chosen and put the caret in the note. */
export function pickFlagReason(root: HTMLElement, reason: FlagReason): void {
  root.querySelectorAll<HTMLElement>("[data-reason]").forEach((el) => el.setAttribute("aria-checked", String(el.dataset.reason === reason)));
  root.querySelector<HTMLButtonElement>("[data-action=send-flag]")?.removeAttribute("aria-disabled");
  root.querySelector<HTMLTextAreaElement>("#flag-note")?.focus();
}

export function pickedFlagReason(root: HTMLElement): FlagReason | null {
  return (root.querySelector<HTMLElement>("[data-reason][aria-checked=true]")?.dataset.reason as FlagReason | undefined) ?? null;
}

/** Reasons are a radio group (1-3 or a click picks one), then an optional note, then Send (Enter). */
export function flagContent(onSend: () => void, onCancel: () => void): HTMLElement {
  const note = h("textarea", { id: "flag-note", class: "flag-note", rows: 2, maxlength: 500 });
  // Enter in the note sends (Shift+Enter: a new line); the page's own keys ignore text fields.
  note.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      onSend();
    }
  });
  const root = h("div", { class: "flag" });
  const choices = FLAG_REASONS.map((reason, i) =>
    h(
      "button",
      { type: "button", role: "radio", "aria-checked": "false", class: "option", "data-reason": reason, ...(i === 0 ? { "data-autofocus": "true" } : {}), onclick: () => pickFlagReason(root, reason) },
      h("kbd", {}, String(i + 1)),
      t(`flag.${reason}` as MessageKey),
    ),
  );
  root.append(
    h("p", { class: "muted", id: "flag-intro" }, t("flag.intro")),
    h("div", { class: "options", role: "radiogroup", "aria-labelledby": "flag-intro" }, ...choices),
    h("label", { for: "flag-note", class: "flag-note-label" }, t("flag.note")),
    note,
    h(
      "div",
      { class: "dialog-actions" },
      h("button", { type: "button", class: "btn btn-ghost", onclick: onCancel }, t("flag.cancel")),
      h("button", { type: "button", class: "btn btn-primary", "data-action": "send-flag", "aria-disabled": "true", onclick: onSend }, t("flag.send")),
    ),
  );
  return root;
}

export function skipContent(onConfirm: () => void, onCancel: () => void): HTMLElement {
  return h(
    "div",
    { class: "skip" },
    h("p", {}, t("skip.body")),
    h(
      "div",
      { class: "dialog-actions" },
      h("button", { type: "button", class: "btn btn-ghost", onclick: onCancel }, t("skip.cancel")),
      h("button", { type: "button", class: "btn btn-primary", "data-autofocus": "true", onclick: onConfirm }, t("skip.confirm")),
    ),
  );
}
