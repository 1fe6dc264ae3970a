/** Height of the players pinned on narrow screens, as the CSS variable --pinned-h on the page root:
 * the answer rows' scroll-margin uses it so a row scrolled into view never lands under the players. */
export function trackPinnedHeight(root: HTMLElement, pinned: HTMLElement): void {
  if (typeof ResizeObserver === "undefined") return;
  const update = () => root.style.setProperty("--pinned-h", `${Math.ceil(pinned.getBoundingClientRect().height)}px`);
  new ResizeObserver(update).observe(pinned);
  update();
}
