import { describe, expect, it } from "vitest";
import { DRAFT_PREFIX, DraftStore, emptyDraft } from "../src/lib/autosave";
import { MemoryStorage } from "../src/lib/storage";

describe("autosave drafts", () => {
  it("restores what was saved for the same assignment", () => {
    const storage = new MemoryStorage();
    const store = new DraftStore(storage, () => 50);
    const draft = { ...emptyDraft(7, 0), strengths: { motion: -1 }, ratings: { "3:appeal": 4 }, focus: 2, spentMs: 9000 };
    store.save(draft);
    const again = new DraftStore(storage, () => 60).load(7);
    expect(again).toMatchObject({ assignment: 7, strengths: { motion: -1 }, ratings: { "3:appeal": 4 }, focus: 2, spentMs: 9000, savedAt: 50 });
  });

  it("starts empty for another assignment or a corrupt entry", () => {
    const storage = new MemoryStorage();
    const store = new DraftStore(storage);
    store.save({ ...emptyDraft(7, 0), strengths: { motion: 1 } });
    expect(store.load(8).strengths).toEqual({});
    storage.setItem(DRAFT_PREFIX + "9", "{not json");
    expect(store.load(9).strengths).toEqual({});
  });

  it("clears a submitted draft and prunes old ones", () => {
    const storage = new MemoryStorage();
    let now = 0;
    const store = new DraftStore(storage, () => now);
    store.save(emptyDraft(1, 0));
    now = 10_000;
    store.save(emptyDraft(2, 0));
    store.clear(2);
    expect(storage.getItem(DRAFT_PREFIX + "2")).toBeNull();
    store.save(emptyDraft(3, 0));
    now = 10_000 + 5_000;
    expect(store.prune(12_000)).toBe(1); // draft 1 is 15 s old, draft 3 only 5 s
    expect(storage.getItem(DRAFT_PREFIX + "1")).toBeNull();
    expect(storage.getItem(DRAFT_PREFIX + "3")).not.toBeNull();
  });
});
