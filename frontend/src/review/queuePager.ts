/**
 * Paging of the review queue: the server answers one page (limit/offset) and the total count;
 * this says which rows the page shows and where "previous" and "next" go. The reviewer's
 * offset can fall past the end when adjudications shrink the queue: it then snaps to the last page.
 */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";

export interface QueuePage {
  /** 1-based first and last row shown; 0 and 0 when the queue is empty. */
  from: number;
  to: number;
  total: number;
  prev: number | null;
  next: number | null;
}

/** The offset to ask for: `offset` itself, or the last page's when the queue has shrunk below it. */
export function clampOffset(offset: number, total: number, size: number): number {
  if (total <= 0) return 0;
  const last = Math.floor((total - 1) / size) * size;
  return Math.max(0, Math.min(offset - (offset % size), last));
}

export function queuePage(total: number, offset: number, shown: number, size: number): QueuePage {
  if (total <= 0 || shown <= 0) return { from: 0, to: 0, total: Math.max(0, total), prev: null, next: null };
  return {
    from: offset + 1,
    to: offset + shown,
    total,
    prev: offset > 0 ? Math.max(0, offset - size) : null,
    next: offset + size < total ? offset + size : null,
  };
}

/** Previous / "11–13 of 13" / next; nothing when everything fits on one page. */
export function queuePager(page: QueuePage, go: (offset: number) => void): HTMLElement | null {
  if (page.prev === null && page.next === null) return null;
  const button = (id: string, text: string, target: number | null) =>
    h("button", { type: "button", class: "btn btn-small", id, disabled: target === null, onclick: () => target !== null && go(target) }, text);
  return h("nav", { class: "queue-pager", "aria-label": t("review.queuePager") },
    button("queue-prev", t("review.queuePrev"), page.prev),
    h("span", { class: "muted", "data-queue-range": `${page.from}-${page.to}` }, t("review.queueRange", { from: page.from, to: page.to, total: page.total })),
    button("queue-next", t("review.queueNext"), page.next));
}
