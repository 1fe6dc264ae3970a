import { describe, expect, it } from "vitest";
import { DICTIONARIES, LANGS, chooseLang, dimensionText, format, normalizeLang } from "../src/lib/i18n";
import { DIMENSION_KEYS, dimensionsJa, dimensionsZh } from "../src/lib/messages/dimensions";
import { en } from "../src/lib/messages/en";
import { KEY_HELP } from "../src/lib/keymap";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n", () => {
  const reference = Object.keys(en).sort();

  it.each(LANGS.map((l) => l.code))("%s has exactly the English keys, none empty, same placeholders", (code) => {
    const dict = DICTIONARIES[code];
    expect(Object.keys(dict).sort()).toEqual(reference);
    for (const key of reference) {
      const text = dict[key as keyof typeof en];
      expect(text.trim(), `${code} ${key}`).not.toBe("");
      expect(placeholders(text), `${code} ${key}`).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  it("translates the six dimension names and definitions", () => {
    for (const table of [dimensionsZh, dimensionsJa]) {
      expect(Object.keys(table).sort()).toEqual([...DIMENSION_KEYS].sort());
      for (const key of DIMENSION_KEYS) expect(table[key].name && table[key].definition).toBeTruthy();
    }
    expect(dimensionText({ key: "motion", name: "Visual motion", definition: "x" }, "ja").name).toBe("映像の動き");
  });

  it("falls back to the server's text for English and unknown dimensions", () => {
    const dim = { key: "vibes", name: "Vibes", definition: "Good vibes" };
    expect(dimensionText(dim, "zh-hans")).toEqual({ name: "Vibes", definition: "Good vibes" });
    expect(dimensionText({ key: "motion", name: "Server motion", definition: "srv" }, "en").name).toBe("Server motion");
  });

  it("has a label for every help entry", () => {
    for (const section of KEY_HELP) {
      expect(en[section.title]).toBeTruthy();
      for (const entry of section.entries) expect(en[entry.label]).toBeTruthy();
    }
  });

  it("chooses the switcher's choice, then <html lang>, then the browser", () => {
    expect(chooseLang({ stored: "ja", htmlLang: "en", navigatorLangs: ["zh-CN"] })).toBe("ja");
    expect(chooseLang({ stored: null, htmlLang: "zh-hans", navigatorLangs: [] })).toBe("zh-hans");
    expect(chooseLang({ stored: null, htmlLang: "fr", navigatorLangs: ["de-DE", "ja-JP"] })).toBe("ja");
    expect(chooseLang({ htmlLang: "", navigatorLangs: ["pt-BR"] })).toBe("en");
    expect(normalizeLang("zh-Hans-CN")).toBe("zh-hans");
    expect(normalizeLang("zh_TW")).toBe("zh-hans");
    expect(normalizeLang("en-GB")).toBe("en");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("Frame {n} / {total}", { n: 3, total: 36 })).toBe("Frame 3 / 36");
    expect(format("{a} {b}", { a: 1 })).toBe("1 {b}");
  });
});
