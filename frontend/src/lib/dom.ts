/** A tiny element builder: h("button", { class: "x", onclick }, "text", child). */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value as EventListener);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

/** Icons as 24×24 stroke paths (drawn for this project, in the style of common open icon sets). */
const ICONS: Record<string, string> = {
  play: "M7 5.5v13l11-6.5z",
  pause: "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z",
  stepBack: "M6 5v14M18 5.5v13L9 12z",
  stepForward: "M18 5v14M6 5.5v13L15 12z",
  restart: "M4 12a8 8 0 1 0 2.4-5.7M4 4v4.5h4.5",
  loop: "M17 3l3 3-3 3M4 11V9a3 3 0 0 1 3-3h13M7 21l-3-3 3-3M20 13v2a3 3 0 0 1-3 3H4",
  volume: "M4 9h4l5-4v14l-5-4H4zM16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12",
  muted: "M4 9h4l5-4v14l-5-4H4zM17 9l5 6M22 9l-5 6",
  flicker: "M3 6h8v12H3zM13 6h8v12h-8zM11 12h2",
  help: "M9.2 9a3 3 0 1 1 4.3 2.7c-.9.5-1.5 1.2-1.5 2.3M12 17.5v.5M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z",
  book: "M4 5a2 2 0 0 1 2-2h14v16H6a2 2 0 0 0-2 2zM4 21V5M8 7h8",
  flag: "M5 21V4M5 4h11l-2 4 2 4H5",
  skip: "M5 5l10 7-10 7zM19 5v14",
  check: "M5 12.5l4.5 4.5L19 7",
  cloud: "M7 18a4.5 4.5 0 0 1-.6-9 6 6 0 0 1 11.5 1.6A3.7 3.7 0 0 1 17.5 18z",
  cloudOff: "M3 3l18 18M7 18a4.5 4.5 0 0 1-1.3-8.8M10 5.4A6 6 0 0 1 17.9 10.6 3.7 3.7 0 0 1 20 17",
  close: "M6 6l12 12M18 6L6 18",
};

export function icon(name: keyof typeof ICONS | string, cls = "icon"): SVGSVGElement {
  const filled = name === "play" || name === "pause";
  const el = svg("svg", { viewBox: "0 0 24 24", class: cls, "aria-hidden": "true", focusable: "false" });
  el.append(
    svg("path", {
      d: ICONS[name] ?? "",
      fill: filled ? "currentColor" : "none",
      stroke: "currentColor",
      "stroke-width": filled ? 0 : 2,
      "stroke-linecap": "round",
      "stroke-linejoin": "round",
    }),
  );
  return el;
}

/** True when the key press should go to a text field rather than to the page's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["range", "checkbox", "radio", "button", "submit"].includes(target.type);
  return false;
}
