import { describe, expect, it } from "vitest";
import { formatMaybe, rangeBarModel, type RangeRow } from "../src/lib/chart";
import {
  agreementIsEmpty,
  agreementRows,
  goldRows,
  hasGold,
  leaderboardIsEmpty,
  leaderboardRows,
  pickDimension,
  sortLeaderboard,
  type AgreementReport,
  type AnnotatorsReport,
  type LeaderboardReport,
  type LeaderboardRow,
} from "../src/review/dashboard";

const noNaN = (value: unknown) => expect(JSON.stringify(value)).not.toMatch(/NaN|null,"x"|Infinity/);

const row = (generator: string, score: number | null, ci_low: number | null, ci_high: number | null): LeaderboardRow => ({
  rank: 0, generator, score, ci_low, ci_high, wins: 1, losses: 1, ties: 0, n: 2, win_rate: 0.5,
});

describe("rangeBarModel", () => {
  const opts = { width: 500, labelWidth: 100 };

  it("puts the whisker at the CI bounds and the bar from zero to the value", () => {
    const m = rangeBarModel([{ label: "g", bars: [{ value: 1, low: 0.5, high: 2 }] }], { ...opts, domain: [0, 2] });
    // plot spans x = 100 … 424 (500 - 76 note column)
    const span = m.plotRight - m.plotLeft;
    const bar = m.rows[0].bars[0];
    expect(m.zeroX).toBe(100);
    expect(bar.x).toBe(100);
    expect(bar.width).toBeCloseTo(span / 2);
    expect(bar.whisker!.xLow).toBeCloseTo(100 + span / 4);
    expect(bar.whisker!.xHigh).toBeCloseTo(m.plotRight);
    expect(bar.textX).toBeGreaterThan(bar.whisker!.xHigh);
  });

  it("draws negative values left of a zero line inside the plot", () => {
    const m = rangeBarModel([{ label: "a", bars: [{ value: -0.5, low: -1, high: 0.2 }] }, { label: "b", bars: [{ value: 1 }] }], opts);
    expect(m.zeroX).toBeGreaterThan(m.plotLeft);
    expect(m.zeroX).toBeLessThan(m.plotRight);
    const neg = m.rows[0].bars[0];
    expect(neg.x + neg.width).toBeCloseTo(m.zeroX);
    expect(neg.whisker!.xLow).toBeLessThan(neg.x + 1e-9);
    expect(neg.whisker!.xHigh).toBeGreaterThan(m.zeroX);
    expect(m.ticks.map((t) => t.value)).toContain(0);
  });

  it("swaps reversed bounds and clamps to a fixed domain", () => {
    const m = rangeBarModel([{ label: "a", bars: [{ value: 0.5, low: 1.4, high: -0.2 }] }], { ...opts, domain: [0, 1] });
    const w = m.rows[0].bars[0].whisker!;
    expect(w.xLow).toBe(m.plotLeft);
    expect(w.xHigh).toBe(m.plotRight);
  });

  it("handles missing values and empty data without NaN", () => {
    const m = rangeBarModel([{ label: "a", bars: [{ value: null, low: null, high: null }, { value: Number.NaN }] }], opts);
    expect(m.rows[0].bars.every((b) => b.missing && b.width === 0 && b.whisker === null && b.text === "—")).toBe(true);
    noNaN(m);
    const none = rangeBarModel([], opts);
    expect(none.rows).toEqual([]);
    expect(none.height).toBeGreaterThan(0);
    noNaN(none);
    expect(formatMaybe(null)).toBe("—");
    expect(formatMaybe(0.5)).toBe("0.50");
  });

  it("places a reference marker on the axis, or none", () => {
    const m = rangeBarModel([{ label: "a", bars: [{ value: 0.9 }] }], { ...opts, domain: [0, 1], marker: { value: 0.7, label: "pass" } });
    expect(m.markerX).toBeCloseTo(m.plotLeft + 0.7 * (m.plotRight - m.plotLeft));
    expect(rangeBarModel([], opts).markerX).toBeNull();
    expect(rangeBarModel([], { ...opts, marker: { value: Number.NaN, label: "x" } }).markerX).toBeNull();
  });

  it("stacks several series inside one row without overlap", () => {
    const rows: RangeRow[] = [{ label: "d", bars: [{ value: 0.4, series: 0 }, { value: 0.6, series: 3 }] }];
    const [a, b] = rangeBarModel(rows, opts).rows[0].bars;
    expect(b.y).toBeGreaterThanOrEqual(a.y + a.height);
    expect([a.series, b.series]).toEqual([0, 3]);
  });
});

describe("leaderboard", () => {
  const report: LeaderboardReport = {
    campaign: 1, level: 0.95, n_boot: 200,
    dimensions: [
      { dimension: "motion", n_votes: 0, rows: [] },
      { dimension: "appeal", n_votes: 9, rows: [row("b", 0.2, -0.1, 0.5), row("c", null, null, null), row("a", 0.9, 0.4, 1.3), row("d", 0.2, 0, 0.4)] },
    ],
  };

  it("sorts best first, ties by name, missing scores last", () => {
    expect(sortLeaderboard(report.dimensions[1].rows).map((r) => r.generator)).toEqual(["a", "b", "d", "c"]);
  });

  it("builds one bar with a CI whisker per generator", () => {
    const rows = leaderboardRows(report.dimensions[1]);
    expect(rows[0].label).toBe("1. a");
    expect(rows[0].bars[0]).toMatchObject({ value: 0.9, low: 0.4, high: 1.3 });
    expect(rows[0].bars[0].note).toBe("0.90 [0.40, 1.30]");
    expect(rows[3].bars[0].value).toBeNull();
    expect(leaderboardRows(undefined)).toEqual([]);
  });

  it("picks a dimension with data unless one is chosen", () => {
    expect(pickDimension(report, null)).toBe("appeal");
    expect(pickDimension(report, "motion")).toBe("motion");
    expect(pickDimension(report, "gone")).toBe("appeal");
    expect(pickDimension(null, "x")).toBeNull();
    expect(leaderboardIsEmpty(report)).toBe(false);
    expect(leaderboardIsEmpty({ ...report, dimensions: [report.dimensions[0]] })).toBe(true);
  });
});

describe("agreement and gold", () => {
  it("turns undefined alpha/kappa into missing bars and detects empty reports", () => {
    const report: AgreementReport = {
      campaign: 1,
      dimensions: [
        { dimension: "motion", n_votes: 6, n_pairs: 2, n_annotators: 3, alpha_ordinal: 0.42, kappa_direction: { mean: -0.1, pairs: [] } },
        { dimension: "appeal", n_votes: 0, n_pairs: 0, n_annotators: 0, alpha_ordinal: null, kappa_direction: { mean: null, pairs: [] } },
      ],
    };
    const rows = agreementRows(report, (k) => k.toUpperCase());
    expect(rows[0]).toEqual({ label: "MOTION", bars: [{ value: 0.42, series: 0, name: "α" }, { value: -0.1, series: 3, name: "κ" }] });
    expect(rows[1].bars.map((b) => b.value)).toEqual([null, null]);
    noNaN(rangeBarModel(rows, { domain: [-1, 1] }));
    expect(agreementIsEmpty(report)).toBe(false);
    expect(agreementIsEmpty({ ...report, dimensions: [report.dimensions[1]] })).toBe(true);
    expect(agreementIsEmpty(null)).toBe(true);
  });

  it("marks each annotator's status with a symbol and words, not only colour", () => {
    const base = { assignments: { submitted: 3, skipped: 0, flagged: 0, gold_submitted: 1 }, agreement: { direction_agreement: 0.5 } };
    const report: AnnotatorsReport = {
      campaign: 1, rules: { min_gold_accuracy: 0.7, min_gold_answers: 10 },
      annotators: [
        { ...base, id: 1, username: "ann", status: { state: "paused", reason: "", automatic: true }, gold: { direction_accuracy: 0.25 } },
        { ...base, id: 2, username: "bo", status: { state: "override", reason: "", automatic: false }, gold: null },
        { ...base, id: 3, username: "cy", status: { state: "active", reason: "", automatic: false }, gold: { direction_accuracy: 1 } },
      ],
    };
    const rows = goldRows(report, (s) => s.toUpperCase());
    expect(rows.map((r) => r.label)).toEqual(["‖ ann", "★ bo", "● cy"]);
    expect(rows[0].bars[0]).toMatchObject({ value: 0.25, series: 1, note: "25% · PAUSED" });
    expect(rows[1].bars[0]).toMatchObject({ value: null, note: "— · OVERRIDE" });
    expect(hasGold(report)).toBe(true);
    expect(hasGold({ ...report, annotators: [report.annotators[1]] })).toBe(false);
  });
});
