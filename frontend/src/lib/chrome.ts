/** Page chrome shared by the studio pages: config, [data-i18n] texts, the language switcher, toasts and banners. */
import { h, icon } from "./dom";
import { LANGS, lang, onLangChange, setLang, t, type Lang, type MessageKey } from "./i18n";

export function readConfig<T>(id: string): T {
  const el = document.getElementById(id);
  if (!el?.textContent) throw new Error(`missing #${id} page configuration`);
  return JSON.parse(el.textContent) as T;
}

/** Server-rendered elements that carry data-i18n="key" follow the language switcher. */
export function translateDom(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n as MessageKey);
  });
  root.querySelectorAll<HTMLElement>("[data-i18n-label]").forEach((el) => {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel as MessageKey));
  });
}

export function languageSwitcher(): HTMLElement {
  const select = h("select", { class: "lang-select", id: "lang-select" }) as HTMLSelectElement;
  for (const l of LANGS) select.append(h("option", { value: l.code, lang: l.code }, l.label));
  select.value = lang();
  select.addEventListener("change", () => {
    setLang(select.value as Lang, { persist: true });
    select.blur();
  });
  const label = h("label", { for: "lang-select", class: "sr-only" });
  const render = () => {
    label.textContent = t("lang.label");
    select.value = lang();
  };
  onLangChange(render);
  render();
  return h("span", { class: "lang" }, label, select);
}

export class Toasts {
  readonly el = h("div", { class: "toasts", role: "status", "aria-live": "polite" });

  show(text: string, kind: "info" | "warn" = "info", ms = 2600): void {
    const toast = h("div", { class: `toast toast-${kind}` }, text);
    this.el.append(toast);
    while (this.el.childElementCount > 3) this.el.firstElementChild?.remove();
    setTimeout(() => {
      toast.classList.add("is-leaving");
      setTimeout(() => toast.remove(), 300);
    }, ms);
  }
}

export class Banners {
  readonly el = h("div", { class: "banners", role: "alert", "aria-live": "assertive" });
  private byKey = new Map<string, HTMLElement>();

  /** One banner per key (a repeat replaces the text); stays until dismissed or cleared. */
  show(key: string, text: string, kind: "warn" | "error" | "info" = "warn"): void {
    const existing = this.byKey.get(key);
    if (existing) {
      (existing.querySelector(".banner-text") as HTMLElement).textContent = text;
      return;
    }
    const dismiss = h(
      "button",
      { type: "button", class: "banner-dismiss", "aria-label": t("banner.dismiss"), title: t("banner.dismiss"), onclick: () => this.clear(key) },
      icon("close", "icon icon-sm"),
    );
    const el = h("div", { class: `banner banner-${kind}`, "data-banner": key }, h("p", { class: "banner-text" }, text), dismiss);
    this.byKey.set(key, el);
    this.el.append(el);
  }

  clear(key: string): void {
    this.byKey.get(key)?.remove();
    this.byKey.delete(key);
  }
}
