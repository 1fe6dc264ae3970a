import { describe, expect, it } from "vitest";
import {
  alphaDomain,
  alphaSeries,
  historyIsEmpty,
  historyTimeDomain,
  queueSeries,
  timeChartModel,
  timeTicks,
  type HistoryReport,
} from "../src/review/history";

const H = 3_600_000;
const T0 = Date.parse("2026-11-20T10:00:00Z");
const at = (hours: number) => new Date(T0 + hours * H).toISOString();
const point = (hours: number, alpha: number | null) => ({ at: at(hours), alpha, kappa: null, n_judgments: 10, n_disputed: 1 });

const report: HistoryReport = {
  campaign: 1,
  since: at(-24),
  days: 30,
  dimensions: [
    { dimension: "motion", points: [point(0, 0.2), point(1, null), point(2, 0.4), point(3, 0.6)] },
    { dimension: "appeal", points: [point(0, 0.9), point(1, 0.8), point(2, 0.85), point(3, 0.9)] },
  ],
  queue: [0, 1, 2, 3].map((hours, i) => ({ at: at(hours), size: 5 - i })),
};

const noNaN = (value: unknown) => expect(JSON.stringify(value)).not.toMatch(/NaN|Infinity/);

describe("agreement history model", () => {
  it("breaks the line where alpha was undefined", () => {
    const m = timeChartModel(alphaSeries(report, "motion"), { domain: [0, 1], timeDomain: historyTimeDomain(report) });
    expect(m.segments.map((s) => s.length)).toEqual([1, 2]);
    expect(m.last?.value).toBe(0.6);
    noNaN(m);
  });

  it("maps time left to right and alpha bottom to top on a shared time axis", () => {
    const m = timeChartModel(alphaSeries(report, "appeal"), { width: 300, height: 150, domain: [0, 1], timeDomain: historyTimeDomain(report) });
    const [first, , , last] = m.segments[0];
    expect(first.x).toBeCloseTo(m.plot.left);
    expect(last.x).toBeCloseTo(m.plot.right);
    const y = (v: number) => m.plot.bottom - v * (m.plot.bottom - m.plot.top);
    expect(first.y).toBeCloseTo(y(0.9));
    expect(m.segments[0][1].y).toBeCloseTo(y(0.8));
    expect(m.yTicks.map((t) => t.value)).toEqual([0, 0.5, 1]);
  });

  it("widens the alpha axis to -1 only once agreement drops below chance", () => {
    expect(alphaDomain(report)).toEqual([0, 1]);
    const worse = { ...report, dimensions: [{ dimension: "motion", points: [point(0, -0.1)] }] };
    expect(alphaDomain(worse)).toEqual([-1, 1]);
  });

  it("counts the queue on whole numbers", () => {
    const m = timeChartModel(queueSeries(report), { integer: true });
    expect(m.yTicks.every((t) => Number.isInteger(t.value))).toBe(true);
    expect(m.yTicks[m.yTicks.length - 1].value).toBeGreaterThanOrEqual(5);
  });

  it("draws one snapshot as a dot an hour either side, and nothing at all without NaN", () => {
    const one = { ...report, queue: [{ at: at(0), size: 2 }], dimensions: [{ dimension: "motion", points: [point(0, 0.5)] }] };
    const domain = historyTimeDomain(one);
    expect(domain).toEqual([T0 - H, T0 + H]);
    const m = timeChartModel(alphaSeries(one, "motion"), { domain: [0, 1], timeDomain: domain });
    expect(m.segments).toHaveLength(1);
    expect(m.segments[0][0].x).toBeCloseTo((m.plot.left + m.plot.right) / 2);
    const none = timeChartModel([], { domain: [0, 1] });
    expect(none.segments).toEqual([]);
    expect(none.last).toBeNull();
    noNaN(none);
    noNaN(timeChartModel([]));
  });

  it("is empty until the first snapshot", () => {
    expect(historyIsEmpty(null)).toBe(true);
    expect(historyIsEmpty({ ...report, queue: [] })).toBe(true);
    expect(historyIsEmpty(report)).toBe(false);
  });

  it("spreads time ticks evenly, both ends included", () => {
    expect(timeTicks(0, 300, 4)).toEqual([0, 100, 200, 300]);
    expect(timeTicks(5, 5)).toEqual([5]);
  });
});
