/**
 * /studio/mine/ (annotators): my submitted pairs, latest first, with my answers in the words I
 * saw them (Left/Right), the original where I changed it, the pair's comments, and "Edit" while
 * the campaign's edit window is open (the server decides; the page only shows its answer).
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h, isTyping } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { CHOICES, type Choice } from "../lib/strength";
import { editBody, minutesLeft, screenChoice } from "./edits";
import { mySpansEl } from "./mySpans";
import type { HistoryItem, Page } from "./types";
import { clip, commentsBlock, forgetClips, formatTime, keepFocus, pager } from "./widgets";

type Names = { dim: (key: string) => string };
const PAGE_SIZE = 10;
const choiceWords = (c: Choice) => t(`choice.${c}` as MessageKey);

function answersList(item: HistoryItem, names: Names): HTMLElement {
  return h("dl", { class: "my-answers" }, ...item.answers.flatMap((a) => [
    h("dt", {}, names.dim(a.dimension)),
    h("dd", { "data-dim": a.dimension, "data-choice": screenChoice(a.strength, item.left) }, choiceWords(screenChoice(a.strength, item.left)),
      a.original !== null ? h("span", { class: "muted" }, ` ${t("mine.was", { words: choiceWords(screenChoice(a.original, item.left)) })}`) : null),
  ]));
}

function editForm(item: HistoryItem, names: Names, save: (body: NonNullable<ReturnType<typeof editBody>>) => Promise<void>, cancel: () => void): HTMLElement {
  const picked: Record<string, Choice> = {};
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const rows = item.answers.map((a) => {
    const id = `edit-${item.assignment}-${a.dimension}`;
    const select = h("select", { id, class: "select", "data-edit-dim": a.dimension },
      ...CHOICES.map((c) => h("option", { value: String(c), selected: c === screenChoice(a.strength, item.left) }, choiceWords(c)))) as HTMLSelectElement;
    select.addEventListener("change", () => void (picked[a.dimension] = Number(select.value) as Choice));
    return h("p", { class: "edit-row" }, h("label", { for: id }, names.dim(a.dimension)), select);
  });
  const form = h("form", { class: "edit-form", "data-edit-form": item.assignment }, ...rows, status,
    h("div", { class: "dialog-actions" }, h("button", { type: "button", class: "btn", onclick: cancel }, t("mine.cancel")), h("button", { type: "submit", class: "btn btn-primary" }, t("mine.save"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = editBody(item.answers, picked, item.left);
    if (!body) return void (status.textContent = t("mine.nothingChanged"));
    status.textContent = t("mine.saving");
    save(body).catch((exc) => void (status.textContent = exc instanceof ApiError ? exc.detail : t("banner.network")));
  });
  return form;
}

function itemCard(item: HistoryItem, names: Names, editing: boolean, actions: { edit: () => void; save: (body: NonNullable<ReturnType<typeof editBody>>) => Promise<void>; cancel: () => void; comments: HTMLElement }): HTMLElement {
  const [left, right] = item.left === "a" ? [item.video_a, item.video_b] : [item.video_b, item.video_a];
  const state = item.editable
    ? h("span", { class: "chip", "data-editable": "true" }, t("mine.editableFor", { n: minutesLeft(item.editable_until) }))
    : h("span", { class: "chip chip-muted", "data-editable": "false" }, t("mine.locked"));
  return h("article", { class: "card my-item", "data-assignment": item.assignment, "data-pair": item.pair, "aria-labelledby": `item-${item.assignment}` },
    h("header", { class: "my-item-head" }, h("h2", { id: `item-${item.assignment}` }, item.prompt.text),
      h("span", { class: "muted" }, `${item.campaign.name} · ${formatTime(item.finished_at)}`), state),
    h("div", { class: "pair-videos" }, clip(left, t("side.left"), `${item.assignment}:left`), clip(right, t("side.right"), `${item.assignment}:right`)),
    editing ? editForm(item, names, actions.save, actions.cancel) : answersList(item, names),
    mySpansEl(item, names.dim),
    item.editable && !editing ? h("button", { type: "button", class: "btn", "data-edit": item.assignment, onclick: actions.edit }, t("mine.edit")) : null,
    actions.comments);
}

export function mountMyHistory(root: HTMLElement, api: Api, chrome: { banners: Banners; toasts: Toasts }, names: Names): { render: () => void } {
  let page = 1;
  let data: Page<HistoryItem> | null = null;
  let editing = 0;
  const replace = (next: HistoryItem) => data && (data.results = data.results.map((i) => (i.assignment === next.assignment ? next : i)));
  // the form's buttons are gone once it closes: the keyboard goes on from "Edit answer"
  const focusEdit = (item: HistoryItem) => root.querySelector<HTMLElement>(`[data-edit="${item.assignment}"]`)?.focus();
  const actionsFor = (item: HistoryItem) => ({
    edit: () => { editing = item.assignment; render(); root.querySelector<HTMLElement>(`[data-edit-form="${item.assignment}"] select`)?.focus(); },
    cancel: () => { editing = 0; render(); focusEdit(item); },
    save: async (body: NonNullable<ReturnType<typeof editBody>>) => {
      try {
        replace(await api.post<HistoryItem>(`/api/assignments/${item.assignment}/answers/`, body));
      } catch (exc) {
        if (!(exc instanceof ApiError && exc.status === 409)) throw exc;
        // the window closed (or the campaign did) while the form was open: say so, show it locked
        editing = 0;
        chrome.banners.show("edit", exc.detail, "warn");
        return void (await load());
      }
      chrome.banners.clear("edit");
      editing = 0;
      render();
      focusEdit(item);
      chrome.toasts.show(t("mine.saved"));
    },
    comments: commentsBlock(api, item.pair, item.comments, (c) => { item.comments = [...item.comments, c]; render(); chrome.toasts.show(t("comments.added")); }),
  });
  const render = () => {
    root.dataset.loaded = String(data !== null);
    keepFocus(root, () => root.replaceChildren(h("h1", {}, t("mine.title")), h("p", { class: "muted help" }, t("mine.help")),
      ...(data?.results.length ? data.results.map((i) => itemCard(i, names, editing === i.assignment, actionsFor(i))) : [h("p", { class: "empty-state" }, data ? t("mine.empty") : t("data.loading"))]),
      data ? pager(page, Math.max(1, Math.ceil(data.count / PAGE_SIZE)), data.count, (p) => void load(p)) : ""));
  };
  let latest = 0;
  const load = async (next = page) => {
    const ticket = ++latest; // quick n n n: only the last page asked for is shown
    try {
      const answer = await api.get<Page<HistoryItem>>(`/api/me/history/?page=${next}&page_size=${PAGE_SIZE}`);
      if (ticket !== latest) return;
      if (next !== page) forgetClips(); // another page of history: its clips, not the last page's
      [data, page] = [answer, next];
      chrome.banners.clear("load");
    } catch (exc) {
      if (ticket !== latest) return;
      chrome.banners.show("load", exc instanceof ApiError ? exc.detail : t("banner.network"), "error");
    }
    render();
  };
  document.addEventListener("keydown", (e) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey || !data) return;
    if (e.key === "n" && page * PAGE_SIZE < data.count) void load(page + 1);
    if (e.key === "p" && page > 1) void load(page - 1);
  });
  render();
  void load();
  return { render };
}
