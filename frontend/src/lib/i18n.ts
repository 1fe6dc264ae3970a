/**
 * UI strings in English, Simplified Chinese and Japanese. The language comes from the switcher
 * (remembered in localStorage), else <html lang> (Django's LocaleMiddleware), else the browser.
 */
import { en, type MessageKey } from "./messages/en";
import { ja } from "./messages/ja";
import { zh } from "./messages/zh";
import { dimensionsJa, dimensionsZh, type DimensionText } from "./messages/dimensions";
import type { Dimension } from "./types";

export type { MessageKey };
export type Lang = "en" | "zh-hans" | "ja";

export const LANGS: { code: Lang; label: string }[] = [
  { code: "en", label: "English" },
  { code: "zh-hans", label: "简体中文" },
  { code: "ja", label: "日本語" },
];

export const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, "zh-hans": zh, ja };
const DIMENSIONS: Record<Lang, Partial<Record<string, DimensionText>>> = { en: {}, "zh-hans": dimensionsZh, ja: dimensionsJa };

export const LANG_STORAGE_KEY = "ars.lang";

/** Map any BCP 47 tag to a supported language, or null. */
export function normalizeLang(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  const t = tag.toLowerCase().replace("_", "-");
  if (t === "ja" || t.startsWith("ja-")) return "ja";
  if (t === "zh" || t.startsWith("zh-hans") || t === "zh-cn" || t === "zh-sg") return "zh-hans";
  if (t.startsWith("zh-")) return "zh-hans"; // Traditional is not offered; Simplified reads better than English
  if (t === "en" || t.startsWith("en-")) return "en";
  return null;
}

export function chooseLang(opts: { stored?: string | null; htmlLang?: string | null; navigatorLangs?: readonly string[] }): Lang {
  const candidates = [opts.stored, opts.htmlLang, ...(opts.navigatorLangs ?? [])];
  for (const c of candidates) {
    const lang = normalizeLang(c);
    if (lang) return lang;
  }
  return "en";
}

export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

let current: Lang = "en";
const listeners = new Set<(lang: Lang) => void>();

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(DICTIONARIES[current][key] ?? en[key], params);
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang, opts: { persist?: boolean } = {}): void {
  current = next;
  if (typeof document !== "undefined") {
    document.documentElement.lang = next;
    if (opts.persist) {
      try {
        localStorage.setItem(LANG_STORAGE_KEY, next);
      } catch {
        /* private mode: the choice lasts for this page only */
      }
      // Django's LocaleMiddleware reads this cookie, so server-rendered pages follow the choice.
      document.cookie = `django_language=${next}; path=/; max-age=31536000; samesite=lax`;
    }
  }
  listeners.forEach((fn) => fn(next));
}

export function onLangChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function initLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    stored = null;
  }
  const chosen = chooseLang({ stored, htmlLang: document.documentElement.lang, navigatorLangs: navigator.languages });
  setLang(chosen);
  return chosen;
}

/** A dimension's name and definition in the current language, falling back to the server's text. */
export function dimensionText(dim: Pick<Dimension, "key" | "name" | "definition">, language: Lang = current): DimensionText {
  const local = DIMENSIONS[language][dim.key];
  return { name: local?.name ?? dim.name, definition: local?.definition ?? dim.definition };
}
