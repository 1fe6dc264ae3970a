/** Small DOM pieces of the data pages: times, tables, the pager, videos and the comments card. */
import { ApiError, type Api } from "../lib/api";
import { h } from "../lib/dom";
import { lang, t } from "../lib/i18n";
import type { Comment, MediaVideo } from "./types";

/** An API refusal in words: its detail, then the field messages a 400 carries (a hand-edited or old
 * link's bad filter), which say what is wrong where the detail only says "see 'fields'". */
export function errorText(detail: string, data: unknown): string {
  const fields = (data as { fields?: Record<string, string[]> } | null)?.fields;
  if (!fields) return detail;
  return [detail, ...Object.entries(fields).map(([name, messages]) => `${name}: ${messages.join(" ")}`)].join(" ");
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function dataTable(head: string[], rows: (string | Node)[][], caption: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table data-table" },
      h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", {}, c)))))),
    ),
  );
}

/** "Page 2 of 7" with previous/next buttons (also the n / p keys, wired by the page). */
export function pager(page: number, pages: number, count: number, go: (page: number) => void): HTMLElement {
  const button = (text: string, target: number, key: string, disabled: boolean) =>
    h("button", { type: "button", class: "btn btn-ghost", "data-pager": key, disabled, onclick: () => go(target) }, text, " ", h("kbd", {}, key));
  return h(
    "nav",
    { class: "pager", "aria-label": t("data.pager") },
    button(t("data.prev"), page - 1, "p", page <= 1),
    h("span", { class: "muted", "data-count": count }, t("data.pageOf", { page, pages, n: count })),
    button(t("data.next"), page + 1, "n", page >= pages),
  );
}

/** The <video> elements drawn, by slot and URL: a re-render (a comment added, an answer edited, the language
 * switched) moves the same element into the new markup, so a clip being watched keeps playing
 * where it was instead of reloading from the start. Reset when the page changes (`forgetClips`). */
const players = new Map<string, HTMLElement>();

export function forgetClips(): void {
  players.clear();
}

/** `slot` names the place on the page ("81:left"): one video can sit in two cards (pairs share
 * clips), and an element can only be in one place. */
export function clip(video: MediaVideo, label: string, slot: string): HTMLElement {
  let player: HTMLElement | null = null;
  if (video.url) {
    const key = `${slot}|${video.url}`;
    player = players.get(key) ?? h("video", { src: video.url, poster: video.poster_url ?? undefined, controls: true, loop: true, muted: true, playsinline: true, preload: "metadata" });
    players.set(key, player);
  }
  return h("figure", { class: "data-clip" }, h("figcaption", {}, label), player ?? h("p", { class: "muted" }, t("data.noRendition")));
}

/** The selector that finds an element again after a re-render: its id, else its pager key. */
export function focusSelector(el: { id: string; dataset: { pager?: string } }): string | null {
  if (el.id) return `#${el.id}`;
  return el.dataset.pager ? `[data-pager="${el.dataset.pager}"]` : null;
}

/** Runs `draw` (which replaces root's children) and gives the focus back to the element that had it
 * (a filter menu, a tab, a pager button), so a keyboard user is not sent back to the page's top. */
export function keepFocus(root: HTMLElement, draw: () => void): void {
  const active = document.activeElement;
  const selector = active instanceof HTMLElement && root.contains(active) ? focusSelector(active) : null;
  draw();
  if (!selector) return;
  const again = root.querySelector<HTMLElement>(selector);
  // "Next" on the last page is disabled now: the other pager button takes the focus
  (again && !(again as HTMLButtonElement).disabled ? again : root.querySelector<HTMLElement>("[data-pager]:not([disabled])"))?.focus();
}

/** Comment text typed but not sent, per pair: a re-render (an answer edit, a new page of history,
 * the language switch) must not throw it away. */
const drafts = new Map<number, string>();

/** The comment list and a form to add one; `onAdded` gets the stored comment. */
export function commentsBlock(api: Api, pair: number, comments: Comment[], onAdded: (c: Comment) => void): HTMLElement {
  const id = `comment-${pair}`;
  const text = h("textarea", { id, class: "comment-text", rows: 2, maxlength: 2000 }) as HTMLTextAreaElement;
  text.value = drafts.get(pair) ?? "";
  text.addEventListener("input", () => void drafts.set(pair, text.value));
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "comment-form" }, h("label", { for: id, class: "sr-only" }, t("comments.add")), text, h("button", { type: "submit", class: "btn" }, t("comments.add")), status);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!text.value.trim()) return void (status.textContent = t("comments.empty"));
    api.post<Comment>(`/api/pairs/${pair}/comments/`, { text: text.value }).then(
      (c) => {
        drafts.delete(pair);
        onAdded(c);
      },
      (exc) => void (status.textContent = exc instanceof ApiError ? exc.detail : t("banner.network")),
    );
  });
  const list = comments.length
    ? h("ul", { class: "comments" }, ...comments.map((c) => h("li", { "data-comment": c.id }, h("strong", {}, c.author), " ", h("span", { class: "muted" }, formatTime(c.created_at)), h("p", {}, c.text))))
    : h("p", { class: "muted" }, t("comments.none"));
  return h("section", { class: "comments-block", "aria-label": t("comments.title") }, h("h3", {}, t("comments.title")), list, form);
}
