import { describe, expect, it } from "vitest";
import { duplicatesKey } from "../src/admin/importView";
import { setLang, t } from "../src/lib/i18n";

describe("import summary of videos already in the studio", () => {
  it("says they were paired into the campaign when they were, and only that they were not stored otherwise", () => {
    setLang("en", { persist: false });
    expect(t(duplicatesKey({ duplicates_paired: 20 }))).toBe("Already in the studio, paired into this campaign");
    expect(t(duplicatesKey({ duplicates_paired: 0 }))).toBe("Already in the studio (not stored again)");
  });

  it("has the paired wording in every language", () => {
    for (const lang of ["zh-hans", "ja"] as const) {
      setLang(lang, { persist: false });
      expect(t("adm.imports.duplicatesPaired")).not.toBe("Already in the studio, paired into this campaign");
      expect(t("adm.imports.previewPaired", { paired: 3 })).toContain("3");
    }
    setLang("en", { persist: false });
  });
});
