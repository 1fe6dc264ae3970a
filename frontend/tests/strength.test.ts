import { describe, expect, it } from "vitest";
import { emptyDraft } from "../src/lib/autosave";
import { CHOICES, choiceToStrength, strengthToChoice, videoOn } from "../src/lib/strength";
import { AnswerSheet, itemsFor } from "../src/label/sheet";
import { lease } from "./fixtures";

describe("screen choice ↔ A/B strength", () => {
  it("reads left to right as A much better … B much better when A is on the left", () => {
    expect(CHOICES.map((c) => choiceToStrength(c, "a"))).toEqual([-2, -1, 0, 1, 2]);
  });

  it("mirrors when B is on the left: 'Left much better' means B much better", () => {
    expect(CHOICES.map((c) => choiceToStrength(c, "b"))).toEqual([2, 1, 0, -1, -2]);
  });

  it("round-trips for both sides", () => {
    for (const left of ["a", "b"] as const) for (const c of CHOICES) expect(strengthToChoice(choiceToStrength(c, left), left)).toBe(c);
  });

  it("finds the video shown on each side", () => {
    expect(videoOn(lease({ left: "a" }), "left").id).toBe(100);
    expect(videoOn(lease({ left: "b" }), "left").id).toBe(200);
    expect(videoOn(lease({ left: "b" }), "right").id).toBe(100);
  });
});

describe("answer sheet", () => {
  it("orders rows appearance first, then by dimension order", () => {
    expect(itemsFor(lease()).map((i) => i.dim.key)).toEqual(["smoothness", "motion", "text_video", "character"]);
  });

  it("builds the submit body in A/B terms when B is shown on the left", () => {
    const l = lease({ left: "b" });
    const sheet = new AnswerSheet(l, emptyDraft(l.assignment, 0));
    sheet.set(0, 0); // smoothness: Left much better → B much better
    sheet.set(1, 1); // motion: Left better → B better
    sheet.set(2, 2); // text_video: Same
    expect(sheet.isComplete()).toBe(false);
    expect(sheet.firstMissing()).toBe(3);
    sheet.set(3, 4); // character: Right much better → A much better
    expect(sheet.isComplete()).toBe(true);
    expect(sheet.submitBody(1234.4)).toEqual({
      video_a: 100,
      video_b: 200,
      answers: [
        { dimension: "smoothness", strength: 2 },
        { dimension: "motion", strength: 1 },
        { dimension: "text_video", strength: 0 },
        { dimension: "character", strength: -2 },
      ],
      ratings: [],
      segments: [],
      time_spent_ms: 1234,
    });
  });

  it("stores answers in A/B terms so the draft does not depend on the screen", () => {
    const l = lease({ left: "b" });
    const draft = emptyDraft(l.assignment, 0);
    new AnswerSheet(l, draft).set(0, 0);
    expect(draft.strengths).toEqual({ smoothness: 2 });
    expect(new AnswerSheet(l, draft).value(0)).toBe(0);
  });

  it("asks a 1–5 score per video and dimension in rating campaigns, by video id", () => {
    const l = lease({ protocol: "rating", left: "b", dimensions: lease().dimensions.slice(1, 2) });
    const sheet = new AnswerSheet(l, emptyDraft(l.assignment, 0));
    expect(sheet.items.map((i) => (i.kind === "rating" ? `${i.side}:${i.videoId}` : "strength"))).toEqual(["left:200", "right:100"]);
    sheet.set(0, 4);
    sheet.set(1, 0);
    expect(sheet.submitBody(0)).toMatchObject({
      answers: [],
      ratings: [
        { video: 200, dimension: "smoothness", score: 5 },
        { video: 100, dimension: "smoothness", score: 1 },
      ],
    });
  });

  it("asks both in 'both' campaigns", () => {
    const l = lease({ protocol: "both", dimensions: lease().dimensions.slice(0, 1) });
    expect(itemsFor(l).map((i) => i.kind)).toEqual(["strength", "rating", "rating"]);
  });

  it("clamps a restored focus into range", () => {
    const l = lease();
    const draft = { ...emptyDraft(l.assignment, 0), focus: 99 };
    expect(new AnswerSheet(l, draft).draft.focus).toBe(3);
  });
});
