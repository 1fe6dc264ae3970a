import { describe, expect, it } from "vitest";
import {
  adjudicationBody,
  answerColumns,
  consensusOf,
  initialChoices,
  nearestStrength,
  queueRows,
  strengthKey,
  type QueueAnswer,
  type QueueItem,
} from "../src/review/adjudication";
import { en } from "../src/lib/messages/en";

const answer = (id: number, username: string, strengths: Record<string, number>, paused = false): QueueAnswer => ({
  assignment: id, annotator: { id, username }, paused, a_on_left: id % 2 === 0, time_spent_ms: 4000, strengths,
});
const item = (pair: number, extra: Partial<QueueItem> = {}): QueueItem => ({
  pair, score: 1, disputes: [{ dimension: "motion", reason: "opposite_directions", std: 1.5 }], ...extra,
});

describe("strength words", () => {
  it("reads -2 as A much better and +2 as B much better, in the answer row's order", () => {
    expect([-2, -1, 0, 1, 2].map((s) => en[strengthKey(s)])).toEqual(["A much better", "A better", "Same", "B better", "B much better"]);
  });

  it("refuses anything outside -2..2", () => {
    expect(() => strengthKey(3)).toThrow(RangeError);
    expect(() => strengthKey(0.5)).toThrow(RangeError);
  });
});

describe("consensusOf", () => {
  it("follows the server's rule: mean, direction and counts of the answers that count", () => {
    const answers = [answer(1, "ann", { motion: -2 }), answer(2, "ben", { motion: 1 }), answer(3, "cai", { motion: -1 })];
    expect(consensusOf(answers, "motion")).toEqual({ votes: 3, mean: -2 / 3, direction: "a", nA: 2, nB: 1, nTie: 0 });
  });

  it("calls a tie when as many say A as B, or the mean is within half a step of zero", () => {
    expect(consensusOf([answer(1, "a", { motion: -2 }), answer(2, "b", { motion: 1 })], "motion")?.direction).toBe("tie");
    expect(consensusOf([answer(1, "a", { motion: 1 }), answer(2, "b", { motion: 0 }), answer(3, "c", { motion: -0 }), answer(4, "d", { motion: 0 })], "motion")?.direction).toBe("tie");
  });

  it("leaves paused annotators out and answers null when nobody counts", () => {
    const answers = [answer(1, "a", { motion: 2 }), answer(2, "b", { motion: -2 }, true)];
    expect(consensusOf(answers, "motion")).toMatchObject({ votes: 1, direction: "b" });
    expect(consensusOf([answer(2, "b", { motion: -2 }, true)], "motion")).toBeNull();
    expect(consensusOf(answers, "appeal")).toBeNull();
  });

  it("rounds a mean to the nearest strength for its words, never to -0", () => {
    expect(nearestStrength(-0.4)).toBe(0);
    expect(Object.is(nearestStrength(-0.4), -0)).toBe(false);
    expect(nearestStrength(1.6)).toBe(2);
    expect(nearestStrength(-7)).toBe(-2);
  });
});

describe("the adjudication form", () => {
  it("starts from an earlier adjudication and leaves the other dimensions unanswered", () => {
    const it0 = item(5, { adjudications: [{ dimension: "appeal", strength: 1, reviewer: "rita", note: "" }] });
    expect(initialChoices(it0, ["motion", "appeal"])).toEqual({ motion: null, appeal: 1 });
  });

  it("sends only the chosen dimensions, in display order, with a trimmed note", () => {
    expect(adjudicationBody({ appeal: 0, motion: -2, character: null }, "  A freezes at 1 s. ", ["motion", "appeal", "character"])).toEqual({
      answers: [{ dimension: "motion", strength: -2 }, { dimension: "appeal", strength: 0 }],
      note: "A freezes at 1 s.",
    });
  });

  it("sends nothing when no dimension was chosen", () => {
    expect(adjudicationBody({ motion: null }, "note", ["motion"])).toBeNull();
  });

  it("lists the annotators' columns by name, whatever order the server sent", () => {
    const it0 = item(1, { answers: [answer(3, "cai", {}), answer(1, "ann", {}), answer(2, "ben", {})] });
    expect(answerColumns(it0).map((a) => a.annotator.username)).toEqual(["ann", "ben", "cai"]);
  });
});

describe("queueRows", () => {
  it("keeps a settled pair at its old place, marked, after the server dropped it", () => {
    const done = [{ dimension: "motion", strength: 1, reviewer: "rita", note: "" }];
    const rows = queueRows([item(1), item(3)], [{ item: item(2), adjudications: done, index: 1 }]);
    expect(rows.map((r) => [r.item.pair, r.adjudicated !== null])).toEqual([[1, false], [2, true], [3, false]]);
  });

  it("marks a partly settled pair the server still lists, without listing it twice", () => {
    const done = [{ dimension: "motion", strength: 1, reviewer: "rita", note: "" }];
    const rows = queueRows([item(1), item(2)], [{ item: item(2), adjudications: done, index: 1 }]);
    expect(rows.map((r) => [r.item.pair, r.adjudicated?.length ?? 0])).toEqual([[1, 0], [2, 1]]);
  });

  it("appends settled pairs past the end of a shorter queue", () => {
    const done = [{ dimension: "motion", strength: 1, reviewer: "rita", note: "" }];
    expect(queueRows([], [{ item: item(9), adjudications: done, index: 4 }]).map((r) => r.item.pair)).toEqual([9]);
  });
});
