// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { t } from "../src/lib/i18n";
import type { QueueItem } from "../src/review/adjudication";
import type { AnnotatorsReport, LeaderboardReport } from "../src/review/dashboard";
import {
  initialReviewState,
  keepLeaderboardDimension,
  MAX_REVIEW_POLL_MS,
  REVIEW_POLL_MS,
  reviewPollDelay,
  settlePair,
  turnQueuePage,
  type ReviewActions,
  type ReviewState,
} from "../src/review/state";
import { renderReview } from "../src/review/view";
import { DIMS } from "./fixtures";

const item = (pair: number, text = `prompt ${pair}`): QueueItem => ({
  pair, score: 1, prompt: { text }, disputes: [{ dimension: "motion", reason: "opposite_directions", std: 1.5 }],
});

const leaderboard: LeaderboardReport = {
  campaign: 1, level: 0.95, n_boot: 200,
  dimensions: [
    { dimension: "smoothness", n_votes: 0, rows: [] },
    { dimension: "motion", n_votes: 4, rows: [{ rank: 1, generator: "gen-a", score: 0.5, ci_low: 0.1, ci_high: 0.9, wins: 3, losses: 1, ties: 0, n: 4, win_rate: 0.75 }] },
  ],
};

function state(overrides: Partial<ReviewState> = {}): ReviewState {
  return { ...initialReviewState("Spring campaign", DIMS), ...overrides };
}

function actions(): ReviewActions & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pickLeaderboardDimension: (key) => calls.push(`dim=${key}`),
    showQueuePage: (offset) => calls.push(`page=${offset}`),
    openQueueItem: (it, rowId) => calls.push(`open=${it.pair}@${rowId}`),
  };
}

const dash = (els: HTMLElement[], id: string): HTMLElement => {
  const wrap = document.createElement("div");
  wrap.append(...els);
  const found = wrap.querySelector<HTMLElement>(`[data-dash=${id}]`);
  if (!found) throw new Error(`no card ${id}`);
  return found;
};

describe("review page view", () => {
  it("before the first answer: the campaign name, empty cards, no stats", () => {
    const els = renderReview(state(), actions());
    expect(els[0].querySelector("h1")?.textContent).toBe("Spring campaign");
    expect(els[1].classList.contains("stats")).toBe(true);
    expect(els[1].children).toHaveLength(0);
    expect(dash(els, "queue").querySelector(".empty-state")?.textContent).toBe(t("review.queueEmpty"));
    expect(dash(els, "agreement").querySelector(".empty-state")?.textContent).toBe(t("review.emptyJudgments"));
    expect(els[els.length - 1].textContent).toContain(t("review.none"));
  });

  it("shows progress as counts and shares, and judgments per dimension as a chart", () => {
    const progress = { campaign: 1, pairs_total: 8, pairs_complete: 2, assignments_submitted: 6, assignments_needed: 24, live_leases: 3,
      mine: { submitted: 0, submitted_last_24h: 0, skipped: 0, flagged: 0 }, judgments_per_dimension: { motion: 6 } };
    const els = renderReview(state({ progress }), actions());
    const values = [...els[1].querySelectorAll(".stat-value")].map((e) => e.textContent);
    expect(values).toEqual(["2 / 8", "6 / 24", "3"]);
    expect([...els[1].querySelectorAll(".stat-sub")].map((e) => e.textContent)).toEqual(["25%", "25%"]);
    expect(els[els.length - 2].querySelector("svg")).not.toBeNull();
  });

  it("lists the queue with its disputes by dimension name, opening a pair on click", () => {
    const a = actions();
    const els = renderReview(state({ queue: { count: 2, results: [item(11), item(12)] } }), a);
    const queue = dash(els, "queue");
    expect(queue.querySelector("[data-queue-count]")?.textContent).toBe("2");
    expect([...queue.querySelectorAll<HTMLElement>("[data-pair]")].map((b) => b.dataset.pair)).toEqual(["11", "12"]);
    expect(queue.querySelector(".chip")?.textContent).toContain("Visual motion");
    queue.querySelector<HTMLButtonElement>("#queue-row-12")!.click();
    expect(a.calls).toEqual(["open=12@queue-row-12"]);
    expect(queue.querySelector(".queue-pager")).toBeNull(); // one page
  });

  it("pages a long queue", () => {
    const a = actions();
    const results = Array.from({ length: 10 }, (_, i) => item(100 + i));
    const els = renderReview(state({ queue: { count: 13, results } }), a);
    const queue = dash(els, "queue");
    expect(queue.querySelector("ol")?.getAttribute("start")).toBe("1");
    queue.querySelector<HTMLButtonElement>("#queue-next")!.click();
    expect(a.calls).toEqual(["page=10"]);
  });

  it("keeps a pair adjudicated here in its place, marked, after the server drops it", () => {
    const s = state({ queue: { count: 3, results: [item(1), item(2), item(3)] } });
    settlePair(s, item(2), [{ dimension: "motion", strength: 1, reviewer: "rita", note: "" }]);
    s.queue = { count: 2, results: [item(1), item(3)] };
    const queue = dash(renderReview(s, actions()), "queue");
    expect([...queue.querySelectorAll<HTMLElement>("[data-pair]")].map((b) => `${b.dataset.pair}${b.dataset.adjudicated ? "*" : ""}`)).toEqual(["1", "2*", "3"]);
    settlePair(s, item(2), []); // saved again: still one row
    expect(s.settled).toHaveLength(1);
    turnQueuePage(s, 10);
    expect(s).toMatchObject({ queueOffset: 10, settled: [] });
  });

  it("draws the leaderboard for the dimension with data, and reports a pick", () => {
    const a = actions();
    const s = state({ leaderboard });
    keepLeaderboardDimension(s);
    expect(s.lbDimension).toBe("motion");
    const card = dash(renderReview(s, a), "leaderboard");
    const select = card.querySelector<HTMLSelectElement>("#lb-dim")!;
    expect([...select.querySelectorAll("option[selected]")].map((o) => o.getAttribute("value"))).toEqual(["motion"]);
    expect(card.querySelector(".sr-only table tbody")?.textContent).toContain("gen-a");
    select.value = "smoothness";
    select.dispatchEvent(new Event("change"));
    expect(a.calls).toEqual(["dim=smoothness"]);
  });

  it("keeps the chosen leaderboard dimension across polls while the report has it", () => {
    const s = state({ leaderboard, lbDimension: "smoothness" });
    keepLeaderboardDimension(s);
    expect(s.lbDimension).toBe("smoothness");
    s.leaderboard = { ...leaderboard, dimensions: [leaderboard.dimensions[1]] };
    keepLeaderboardDimension(s);
    expect(s.lbDimension).toBe("motion");
    s.leaderboard = null; // a failed report keeps the pick for when it is back
    keepLeaderboardDimension(s);
    expect(s.lbDimension).toBe("motion");
  });

  it("marks each annotator's gold status in words and the stale report as refreshing", () => {
    const quality: AnnotatorsReport = {
      campaign: 1, rules: { min_gold_accuracy: 0.7, min_gold_answers: 10 }, stale: true, computed_at: "2026-01-01T00:00:00Z",
      annotators: [{ id: 1, username: "ann", status: { state: "paused", reason: "", automatic: true }, gold: { direction_accuracy: 0.25 },
        assignments: { submitted: 3, skipped: 0, flagged: 0, gold_submitted: 1 }, agreement: { direction_agreement: 0.5 } }],
    };
    const card = dash(renderReview(state({ quality }), actions()), "gold");
    expect(card.querySelector("tbody .status-paused")?.textContent).toBe(`‖ ${t("review.status.paused")}`);
    expect(card.querySelector(".badge-refreshing")?.textContent).toBe(t("review.refreshing"));
    expect([...card.querySelectorAll("tbody td.num")].map((c) => c.textContent)).toEqual(["25%", "50%", "3"]);
  });

  it("puts the last error where 'updated' goes", () => {
    const [head] = renderReview(state({ error: "Server error", updatedAt: new Date() }), actions());
    expect(head.querySelector("[aria-live]")?.textContent).toBe("Server error");
  });
});

describe("review polling pace", () => {
  it("polls every 15 s while visible, slower while hidden or failing, capped at 5 min", () => {
    expect(reviewPollDelay({ hiddenPolls: 0, failures: 0 })).toBe(REVIEW_POLL_MS);
    expect(reviewPollDelay({ hiddenPolls: 1, failures: 0 })).toBe(30_000);
    expect(reviewPollDelay({ hiddenPolls: 8, failures: 0 })).toBe(MAX_REVIEW_POLL_MS);
    expect(reviewPollDelay({ hiddenPolls: 0, failures: 1 }, () => 0)).toBe(30_000);
  });
});
