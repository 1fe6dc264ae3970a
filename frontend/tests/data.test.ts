import { describe, expect, it } from "vitest";
import { editBody, minutesLeft, screenChoice } from "../src/data/edits";
import { opposedDimensions, queueItemOf } from "../src/data/pairItem";
import { apiPath, nextTab, pageCount, parseState, stateQuery, withFilter, withTab } from "../src/data/query";
import type { HistoryAnswer, PairDetail } from "../src/data/types";
import { errorText, focusSelector } from "../src/data/widgets";
import { flagReason } from "../src/data/browser";

describe("data browser state", () => {
  it("reads the tab, the tab's filters and the page from the query string", () => {
    const state = parseState("?tab=pairs&annotator=3&dimension=motion&page=2&bogus=1");
    expect(state).toEqual({ tab: "pairs", filters: { annotator: "3", dimension: "motion" }, page: 2 });
  });

  it("falls back to judgments, page 1, and drops filters the tab does not offer", () => {
    expect(parseState("?tab=nope&page=-4")).toEqual({ tab: "judgments", filters: {}, page: 1 });
    expect(parseState("?tab=videos&annotator=3").filters).toEqual({});
  });

  it("builds the API path with the page size and the page's own query", () => {
    const state = parseState("?tab=judgments&annotator=3&dimension=motion");
    expect(apiPath(state)).toBe("/api/data/judgments/?annotator=3&dimension=motion&page=1&page_size=25");
    expect(stateQuery({ ...state, page: 3 })).toBe("tab=judgments&annotator=3&dimension=motion&page=3");
  });

  it("keeps shared filters across tabs but not the status, and a new filter goes back to page 1", () => {
    const state = { tab: "judgments" as const, filters: { annotator: "3", status: "edited", campaign: "1" }, page: 4 };
    expect(withTab(state, "videos")).toEqual({ tab: "videos", filters: { campaign: "1" }, page: 1 });
    expect(withFilter(state, "dimension", "motion").page).toBe(1);
  });

  it("counts pages and wraps around the tabs", () => {
    expect([pageCount(0), pageCount(25), pageCount(26)]).toEqual([1, 1, 2]);
    expect([nextTab("flags", 1), nextTab("videos", -1)]).toEqual(["videos", "flags"]);
  });
});

describe("answer edits", () => {
  const answers: HistoryAnswer[] = [
    { dimension: "motion", strength: -2, original: null, edits: 0 },
    { dimension: "appeal", strength: 1, original: -1, edits: 1 },
  ];

  it("shows an A/B strength as the screen choice the annotator saw", () => {
    expect(screenChoice(-2, "a")).toBe(0); // A on the left, A much better: Left much better
    expect(screenChoice(-2, "b")).toBe(4); // B on the left: A is on the right
  });

  it("sends only the changed dimensions, converted back to A/B", () => {
    expect(editBody(answers, { motion: 0, appeal: 3 }, "a")).toBeNull(); // same as stored
    expect(editBody(answers, { motion: 4 }, "a")).toEqual({ answers: [{ dimension: "motion", strength: 2 }] });
    expect(editBody(answers, { appeal: 0 }, "b")).toEqual({ answers: [{ dimension: "appeal", strength: 2 }] });
  });

  it("counts the minutes left of the window", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    expect(minutesLeft("2026-12-07T10:30:00Z", now)).toBe(30);
    expect(minutesLeft("2026-12-07T09:00:00Z", now)).toBe(0);
    expect(minutesLeft(null, now)).toBe(0);
  });
});

describe("pair page to adjudication panel", () => {
  const answer = (username: string, strengths: Record<string, number>) => ({
    assignment: username.length, annotator: { id: username.length, username }, paused: false, a_on_left: true,
    time_spent_ms: 1000, finished_at: null, strengths, history: {},
  });
  const detail = {
    pair: 7, dimensions: ["motion", "appeal"], prompt: { id: 1, text: "p", action_label: "", initial_image_url: null },
    video_a: { id: 1, url: "/media/renditions/a.mp4", poster_url: null, status: "ready", generator: "g1" },
    video_b: { id: 2, url: null, poster_url: null, status: "pending" },
    answers: [answer("alice", { motion: -1, appeal: 1 }), answer("bob", { motion: 2, appeal: 0 })],
    adjudications: [], comments: [], gold_answers: {},
  } as unknown as PairDetail;

  it("finds the dimensions answered in opposite directions", () => {
    expect(opposedDimensions(detail)).toEqual(["motion"]);
  });

  it("builds the review queue's item without generator names", () => {
    const item = queueItemOf(detail);
    expect(item.disputes.map((d) => d.dimension)).toEqual(["motion"]);
    expect(item.video_a).toEqual({ id: 1, url: "/media/renditions/a.mp4" });
    expect(item.video_b).toBeUndefined();
    expect(JSON.stringify(item)).not.toContain("g1");
  });
});

describe("focus across re-renders", () => {
  it("finds a filter, tab or comment box by id and a pager button by its key; nothing else", () => {
    expect(focusSelector({ id: "filter-campaign", dataset: {} })).toBe("#filter-campaign");
    expect(focusSelector({ id: "", dataset: { pager: "n" } })).toBe('[data-pager="n"]');
    expect(focusSelector({ id: "", dataset: {} })).toBeNull();
  });
});

describe("refusals in words", () => {
  it("adds the field messages of a 400 to its detail, and leaves other errors alone", () => {
    const data = { code: "invalid", detail: "The request body is invalid; see 'fields'.", fields: { campaign: ["A valid integer is required."] } };
    expect(errorText(data.detail, data)).toBe("The request body is invalid; see 'fields'. campaign: A valid integer is required.");
    expect(errorText("Invalid page.", { detail: "Invalid page." })).toBe("Invalid page.");
    expect(errorText("Server error", null)).toBe("Server error");
  });
});

describe("flags tab", () => {
  it("shows a flag's reason in the label page's words, an unknown code as it is", () => {
    expect(flagReason("broken_video")).toBe("A video is broken or does not play");
    expect(flagReason("someday_new")).toBe("someday_new");
    expect(flagReason(null)).toBe("—");
  });
});
