import { describe, expect, it } from "vitest";
import { clampOffset, queuePage } from "../src/review/queuePager";

describe("review queue paging", () => {
  it("13 pairs at 10 a page: rows 1-10 then 11-13", () => {
    expect(queuePage(13, 0, 10, 10)).toEqual({ from: 1, to: 10, total: 13, prev: null, next: 10 });
    expect(queuePage(13, 10, 3, 10)).toEqual({ from: 11, to: 13, total: 13, prev: 0, next: null });
  });

  it("one page or an empty queue has no pager targets", () => {
    expect(queuePage(7, 0, 7, 10)).toEqual({ from: 1, to: 7, total: 7, prev: null, next: null });
    expect(queuePage(0, 0, 0, 10)).toEqual({ from: 0, to: 0, total: 0, prev: null, next: null });
  });

  it("snaps to the last page when adjudications shrink the queue below the offset", () => {
    expect(clampOffset(10, 10, 10)).toBe(0);
    expect(clampOffset(20, 13, 10)).toBe(10);
    expect(clampOffset(10, 13, 10)).toBe(10);
    expect(clampOffset(7, 30, 10)).toBe(0);
    expect(clampOffset(10, 0, 10)).toBe(0);
  });
});
