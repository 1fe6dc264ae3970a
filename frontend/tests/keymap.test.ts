import { describe, expect, it } from "vitest";
import { HELP_SPELLING, KEY_HELP, MAIN_KEYS, resolveKey } from "../src/lib/keymap";

describe("keyboard map", () => {
  it("maps 1–5 to the five choices of the highlighted row", () => {
    expect(["1", "2", "3", "4", "5"].map((key) => resolveKey({ key }, "main"))).toEqual([0, 1, 2, 3, 4].map((value) => ({ type: "choose", value })));
  });

  it("moves between rows with arrows and j/k, and steps frames with , and .", () => {
    expect(resolveKey({ key: "ArrowDown" }, "main")).toEqual({ type: "move", delta: 1 });
    expect(resolveKey({ key: "j" }, "main")).toEqual({ type: "move", delta: 1 });
    expect(resolveKey({ key: "k" }, "main")).toEqual({ type: "move", delta: -1 });
    expect(resolveKey({ key: "," }, "main")).toEqual({ type: "step", delta: -1 });
    expect(resolveKey({ key: "." }, "main")).toEqual({ type: "step", delta: 1 });
    expect(resolveKey({ key: " " }, "main")).toEqual({ type: "playPause" });
    expect(resolveKey({ key: "]" }, "main")).toEqual({ type: "speed", delta: 1 });
    expect(resolveKey({ key: "Enter" }, "main")).toEqual({ type: "submit" });
  });

  it("treats Caps Lock letters like lower case", () => {
    expect(resolveKey({ key: "S" }, "main")).toEqual({ type: "skip" });
    expect(resolveKey({ key: "F" }, "main")).toEqual({ type: "flicker" });
  });

  it("leaves browser shortcuts alone", () => {
    expect(resolveKey({ key: "r", ctrlKey: true }, "main")).toBeNull();
    expect(resolveKey({ key: "l", metaKey: true }, "main")).toBeNull();
    expect(resolveKey({ key: "ArrowLeft", altKey: true }, "main")).toBeNull();
  });

  it("takes 1/2/3 as the flag reason (picked, not sent) and Enter as send while the flag dialog is open", () => {
    expect(resolveKey({ key: "Enter" }, "flag")).toEqual({ type: "confirm" });
    expect(resolveKey({ key: "1" }, "flag")).toEqual({ type: "flagReason", reason: "broken_video" });
    expect(resolveKey({ key: "2" }, "flag")).toEqual({ type: "flagReason", reason: "inappropriate" });
    expect(resolveKey({ key: "3" }, "flag")).toEqual({ type: "flagReason", reason: "other" });
    expect(resolveKey({ key: "4" }, "flag")).toBeNull();
    expect(resolveKey({ key: "Escape" }, "flag")).toEqual({ type: "close" });
  });

  it("confirms a skip with s or Enter and never submits from a dialog", () => {
    expect(resolveKey({ key: "s" }, "confirmSkip")).toEqual({ type: "confirm" });
    expect(resolveKey({ key: "Enter" }, "confirmSkip")).toEqual({ type: "confirm" });
    expect(resolveKey({ key: "Enter" }, "help")).toBeNull();
    expect(resolveKey({ key: "1" }, "help")).toBeNull();
  });

  it("keeps the player keys but not the answer keys while the guidelines are open", () => {
    expect(resolveKey({ key: " " }, "guidelines")).toEqual({ type: "playPause" });
    expect(resolveKey({ key: "f" }, "guidelines")).toEqual({ type: "flicker" });
    expect(resolveKey({ key: "1" }, "guidelines")).toBeNull();
    expect(resolveKey({ key: "g" }, "guidelines")).toEqual({ type: "close" });
  });

  it("marks spans with i / o, switches the active video with v, selects with n and replays with r, leaving [ ] as speed", () => {
    expect(resolveKey({ key: "i" }, "main")).toEqual({ type: "spanIn" });
    expect(resolveKey({ key: "o" }, "main")).toEqual({ type: "spanOut" });
    expect(resolveKey({ key: "v" }, "main")).toEqual({ type: "spanVideo" });
    expect(resolveKey({ key: "n" }, "main")).toEqual({ type: "spanNext" });
    expect(resolveKey({ key: "r" }, "main")).toEqual({ type: "spanReplay" });
    expect(resolveKey({ key: "[" }, "main")).toEqual({ type: "speed", delta: -1 });
    expect(resolveKey({ key: "i" }, "guidelines")).toBeNull();
  });

  it("nudges the selected span's start with Shift+arrows and its end with Shift+Alt+arrows, and only there", () => {
    expect(resolveKey({ key: "ArrowLeft", shiftKey: true }, "main")).toEqual({ type: "spanNudge", edge: "start", delta: -1 });
    expect(resolveKey({ key: "ArrowRight", shiftKey: true }, "main")).toEqual({ type: "spanNudge", edge: "start", delta: 1 });
    expect(resolveKey({ key: "ArrowRight", shiftKey: true, altKey: true }, "main")).toEqual({ type: "spanNudge", edge: "end", delta: 1 });
    expect(resolveKey({ key: "ArrowLeft", shiftKey: true, altKey: true }, "main")).toEqual({ type: "spanNudge", edge: "end", delta: -1 });
    expect(resolveKey({ key: "ArrowLeft", altKey: true }, "main")).toBeNull(); // still the browser's Back
    expect(resolveKey({ key: "ArrowLeft", shiftKey: true, ctrlKey: true }, "main")).toBeNull();
    expect(resolveKey({ key: "ArrowLeft", shiftKey: true }, "help")).toBeNull();
  });

  it("lists every main-mode key in the help overlay", () => {
    const listed = new Set(KEY_HELP.flatMap((s) => s.entries.flatMap((e) => e.keys)));
    const missing = MAIN_KEYS.map((k) => HELP_SPELLING[k] ?? k).filter((k) => !listed.has(k));
    expect(missing).toEqual([]);
  });
});
