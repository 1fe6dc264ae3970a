/** Re-rendering without losing the keyboard user's place: focus returns to the element that
 * matches the focused one's id or data-* key after `rebuild` replaced the slot's children. */

const KEYS = ["id", "data-action", "data-version", "data-person", "name"];

function selectorOf(el: Element): string | null {
  for (const key of KEYS) {
    const value = el.getAttribute(key);
    if (value) {
      const owner = el.closest("[data-person]");
      const scope = owner && owner !== el ? `[data-person="${CSS.escape(owner.getAttribute("data-person") ?? "")}"] ` : "";
      return `${scope}[${key}="${CSS.escape(value)}"]`;
    }
  }
  return null;
}

export function keepFocus(slot: Element, rebuild: () => void): void {
  const active = document.activeElement;
  const selector = active && slot.contains(active) ? selectorOf(active) : null;
  rebuild();
  if (selector) slot.querySelector<HTMLElement>(selector)?.focus();
}
