// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { t } from "../src/lib/i18n";
import type { QueueAnswer, QueueItem } from "../src/review/adjudication";
import { adjudicationVideo, answersTable, pickedStrengths } from "../src/review/adjudicationView";

const answer = (id: number, username: string, strengths: Record<string, number>, paused = false): QueueAnswer => ({
  assignment: id, annotator: { id, username }, paused, a_on_left: true, time_spent_ms: 4000, strengths,
});

const item: QueueItem = {
  pair: 5, score: 1,
  disputes: [{ dimension: "motion", reason: "opposite_directions", std: 1.5 }],
  answers: [answer(2, "ben", { smoothness: 0, motion: 2 }, true), answer(1, "ann", { smoothness: -1, motion: -2 })],
  adjudications: [{ dimension: "smoothness", strength: 1, reviewer: "rita", note: "" }],
};
const dims = ["smoothness", "motion"];
const name = (k: string) => k.toUpperCase();

describe("adjudication answers table", () => {
  it("has a column per annotator (by name, paused marked) and a row per dimension in words", () => {
    const { table } = answersTable(item, dims, name);
    expect([...table.querySelectorAll("thead th")].map((th) => th.textContent)).toEqual([
      t("review.col.dimension"), "ann", `ben (${t("review.status.paused")})`, t("review.adj.consensus"), t("review.adj.yourAnswer"),
    ]);
    const motion = table.querySelector("tr[data-dimension=motion]")!;
    expect(motion.classList.contains("is-disputed")).toBe(true);
    expect(motion.querySelector(".chip")?.textContent).toBe(t("review.reason.opposite_directions"));
    expect([...motion.querySelectorAll(".adj-answer")].map((td) => [td.className, td.textContent])).toEqual([
      ["adj-answer strength-a", t("review.adj.s-2")],
      ["adj-answer strength-b", t("review.adj.s2")],
    ]);
    expect(table.querySelector("tr[data-dimension=smoothness]")?.classList.contains("is-disputed")).toBe(false);
  });

  it("presets the select from an earlier adjudication and focuses the first disputed dimension", () => {
    const { table, selects } = answersTable(item, dims, name);
    expect(selects.get("smoothness")?.querySelector("option[selected]")?.getAttribute("value")).toBe("1");
    expect(selects.get("motion")?.querySelector("option[selected]")?.getAttribute("value")).toBe("");
    expect([...table.querySelectorAll("[data-autofocus]")].map((el) => el.id)).toEqual(["adj-motion"]);
  });

  it("reads the reviewer's picks: a strength, or null to keep the crowd's answer", () => {
    const { selects } = answersTable(item, dims, name);
    selects.get("smoothness")!.value = "-2";
    selects.get("motion")!.value = "";
    expect(pickedStrengths(selects)).toEqual({ smoothness: -2, motion: null });
  });

  it("shows a dash where an annotator gave no answer and no consensus without votes", () => {
    const { table } = answersTable({ ...item, answers: [answer(1, "ann", {})] }, dims, name);
    expect(table.querySelector("tr[data-dimension=motion] .adj-answer")?.textContent).toBe("—");
    expect(table.querySelector("tr[data-dimension=motion] .adj-consensus")?.textContent).toBe("—");
  });

  it("draws a player per side, or a dash when the video is missing", () => {
    const a = adjudicationVideo("a", { url: "/media/a.mp4" });
    expect(a.querySelector("video")?.getAttribute("src")).toBe("/media/a.mp4");
    expect(a.querySelector("figcaption")?.textContent).toBe(t("review.adj.videoA"));
    expect(adjudicationVideo("b", undefined).querySelector("video")).toBeNull();
  });
});
