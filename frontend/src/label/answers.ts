/**
 * The answer panel: dimensions grouped by Visual appearance / Visual consistency, one radiogroup
 * per row (5-point strength, or 1–5 score per video in rating campaigns). Exactly one row is
 * "current" and takes the number keys; it is highlighted and holds the keyboard focus.
 */
import { h, icon } from "../lib/dom";
import { dimensionText, t, type MessageKey } from "../lib/i18n";
import type { Choice } from "../lib/strength";
import { GROUP_ORDER, type AnswerSheet, type Item } from "./sheet";

export interface AnswerPanelHooks {
  onChange: () => void;
  onGuide: (dimKey: string) => void;
}

export class AnswerPanel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly progressText: HTMLElement;
  private readonly progressBar: HTMLElement;
  private readonly legend: HTMLElement;
  private sheet: AnswerSheet | null = null;
  private groups: HTMLElement[] = [];

  constructor(private readonly hooks: AnswerPanelHooks) {
    this.progressText = h("span", { class: "answers-progress-text" });
    this.progressBar = h("span", { class: "answers-progress-bar" });
    this.legend = h("p", { class: "answers-legend" });
    this.body = h("div", { class: "answers-body" });
    this.el = h(
      "section",
      { class: "answers", "aria-labelledby": "answers-title" },
      h(
        "header",
        { class: "answers-head" },
        h("h2", { id: "answers-title", class: "answers-title" }),
        h("span", { class: "answers-progress" }, h("span", { class: "answers-progress-track" }, this.progressBar), this.progressText),
      ),
      this.legend,
      this.body,
    );
  }

  setSheet(sheet: AnswerSheet): void {
    this.sheet = sheet;
    this.render();
  }

  get focus(): number {
    return this.sheet?.draft.focus ?? 0;
  }

  render(): void {
    const sheet = this.sheet;
    (this.el.querySelector("#answers-title") as HTMLElement).textContent = t("answers.title");
    if (!sheet) {
      this.body.replaceChildren();
      return;
    }
    const rating = sheet.lease.protocol !== "pairwise";
    const pairwise = sheet.lease.protocol !== "rating";
    this.legend.replaceChildren(
      ...(pairwise ? [h("span", {}, t("answers.legend"))] : []),
      ...(rating ? [h("span", {}, t("answers.ratingLegend"))] : []),
    );
    this.groups = [];
    const blocks = new Map<string, HTMLElement>();
    const groupEls = new Map<string, HTMLElement>();
    for (const group of GROUP_ORDER) {
      const list = h("div", { class: "group-rows" });
      const el = h(
        "section",
        { class: `group group-${group}`, "aria-labelledby": `group-${group}` },
        h("h3", { class: "group-title", id: `group-${group}` }, t(`group.${group}` as MessageKey)),
        list,
      );
      groupEls.set(group, list);
      this.groups.push(el);
    }
    sheet.items.forEach((item, index) => {
      let block = blocks.get(item.dim.key);
      if (!block) {
        block = this.dimensionBlock(item);
        blocks.set(item.dim.key, block);
        groupEls.get(item.dim.group)?.append(block);
      }
      block.append(this.row(item, index));
    });
    this.body.replaceChildren(...this.groups.filter((g) => g.querySelector(".row")));
    this.refresh();
  }

  /** Update selection, current row and progress without rebuilding the rows. */
  refresh(): void {
    const sheet = this.sheet;
    if (!sheet) return;
    const focus = sheet.draft.focus;
    this.body.querySelectorAll<HTMLElement>(".row").forEach((row) => {
      const index = Number(row.dataset.index);
      const value = sheet.value(index);
      row.classList.toggle("is-current", index === focus);
      row.classList.toggle("is-answered", value !== null);
      row.closest(".dim")?.classList.toggle("is-current", index === focus);
      row.querySelectorAll<HTMLButtonElement>("[role=radio]").forEach((radio) => {
        const v = Number(radio.dataset.value);
        const checked = v === value;
        radio.setAttribute("aria-checked", String(checked));
        // Roving tabindex: one tab stop per row, on the checked radio (or the middle one).
        radio.tabIndex = checked || (value === null && v === 2) ? 0 : -1;
      });
      const status = row.querySelector(".row-status");
      if (status) status.replaceChildren(value !== null ? icon("check", "icon icon-sm") : "");
    });
    const answered = sheet.answered();
    const total = sheet.items.length;
    this.progressText.textContent = t("answers.progress", { n: answered, total });
    this.progressBar.style.width = `${total ? (100 * answered) / total : 0}%`;
  }

  choose(value: Choice, advance = true): void {
    const sheet = this.sheet;
    if (!sheet) return;
    sheet.set(sheet.draft.focus, value);
    if (advance) {
      const next = sheet.firstMissing(sheet.draft.focus + 1);
      const last = sheet.items.length - 1;
      // Go on to the next unanswered row; when all are answered stay put (Enter submits).
      if (next >= 0) sheet.draft.focus = next;
      else sheet.draft.focus = Math.min(last, sheet.draft.focus);
    }
    this.hooks.onChange();
    this.refresh();
    this.focusCurrent();
  }

  clear(): void {
    const sheet = this.sheet;
    if (!sheet) return;
    sheet.set(sheet.draft.focus, null);
    this.hooks.onChange();
    this.refresh();
  }

  adjust(delta: 1 | -1): void {
    const sheet = this.sheet;
    if (!sheet) return;
    const value = sheet.value(sheet.draft.focus);
    const next = Math.max(0, Math.min(4, (value ?? 2) + (value === null ? 0 : delta))) as Choice;
    this.choose(next, false);
  }

  move(delta: 1 | -1): void {
    const sheet = this.sheet;
    if (!sheet) return;
    this.setFocus(Math.max(0, Math.min(sheet.items.length - 1, sheet.draft.focus + delta)));
  }

  setFocus(index: number, domFocus = true): void {
    const sheet = this.sheet;
    if (!sheet || index < 0) return;
    sheet.draft.focus = index;
    this.hooks.onChange();
    this.refresh();
    if (domFocus) this.focusCurrent();
  }

  /** Put the keyboard focus on the current row's tab stop, scrolling it into view. */
  focusCurrent(): void {
    const row = this.body.querySelector<HTMLElement>(`.row[data-index="${this.focus}"]`);
    const target = row?.querySelector<HTMLElement>("[role=radio][tabindex='0']");
    if (!target) return;
    target.focus({ preventScroll: true });
    row?.scrollIntoView({ block: "nearest" });
  }

  private dimensionBlock(item: Item): HTMLElement {
    const text = dimensionText(item.dim);
    const nameId = `dim-${item.dim.key}-name`;
    return h(
      "div",
      { class: "dim", "data-dim": item.dim.key },
      h(
        "div",
        { class: "dim-head" },
        h("span", { class: "dim-name", id: nameId }, text.name),
        h(
          "button",
          {
            type: "button",
            class: "dim-guide",
            "aria-label": `${t("answers.guide")}: ${text.name}`,
            title: `${t("answers.guide")} (g)`,
            onclick: () => this.hooks.onGuide(item.dim.key),
          },
          icon("book", "icon icon-sm"),
        ),
      ),
      h("p", { class: "dim-def", id: `dim-${item.dim.key}-def`, title: text.definition }, text.definition),
    );
  }

  private row(item: Item, index: number): HTMLElement {
    const text = dimensionText(item.dim);
    const sideName = item.kind === "rating" ? t(item.side === "left" ? "side.left" : "side.right") : "";
    const label = item.kind === "rating" ? t("rating.rowLabel", { side: sideName, name: text.name }) : text.name;
    const radios = [0, 1, 2, 3, 4].map((v) => {
      const full = item.kind === "strength" ? t(`choice.${v}` as MessageKey) : t(`rating.${v}` as MessageKey);
      const content =
        item.kind === "strength"
          ? [h("span", { class: "choice-top" }, t(`choice.${v}.top` as MessageKey)), h("span", { class: "choice-sub" }, t(`choice.${v}.sub` as MessageKey))]
          : [h("span", { class: "choice-top" }, String(v + 1)), h("span", { class: "choice-sub" }, full.replace(/^\d\s*·\s*/, ""))];
      return h(
        "button",
        {
          type: "button",
          role: "radio",
          class: `choice choice-${v}`,
          "data-value": v,
          "aria-checked": "false",
          "aria-label": full,
          title: `${full} (${v + 1})`,
          onclick: () => {
            this.setFocus(index, false);
            this.choose(v as Choice, false);
          },
        },
        h("kbd", { class: "choice-key", "aria-hidden": "true" }, String(v + 1)),
        ...content,
      );
    });
    return h(
      "div",
      {
        class: `row row-${item.kind}${item.kind === "rating" ? ` row-${item.side}` : ""}`,
        "data-index": index,
        "data-kind": item.kind,
        "data-dim": item.dim.key,
        ...(item.kind === "rating" ? { "data-side": item.side } : {}),
      },
      item.kind === "rating" ? h("span", { class: `row-side side-${item.side}` }, sideName) : null,
      h(
        "div",
        {
          role: "radiogroup",
          class: "choices",
          "aria-label": label,
          "aria-describedby": `dim-${item.dim.key}-def`,
        },
        ...radios,
      ),
      h("span", { class: "row-status", "aria-hidden": "true" }),
    );
  }
}
