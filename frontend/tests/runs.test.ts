import { describe, expect, it } from "vitest";
import { comparisonDimensions, comparisonRows, gapoRows, reportRows } from "../src/runs/compare";
import { MAX_POLL_MS } from "../src/lib/poll";
import {
  ageSeconds,
  deltaClass,
  durationText,
  elapsedSeconds,
  frameWeighting,
  heartbeatIsLate,
  interval,
  isFinal,
  LIST_ACTIVE_POLL_MS,
  LIST_IDLE_POLL_MS,
  listPollDelay,
  pct,
  progressOf,
  RUN_POLL_MS,
  runPollDelay,
  signed,
  splitError,
  stepText,
} from "../src/runs/format";
import { sampleParts } from "../src/runs/samples";
import { latestValues, overallLines, perDimensionLines, pointsOf, seriesDimensions } from "../src/runs/series";
import type { MetricPoint, RewardModel } from "../src/runs/types";

const SERIES: MetricPoint[] = [
  { step: 1, values: { loss: 0.69, lr: 1e-4, "motion/loss": 0.7, "motion/accuracy": 0.5, "smoothness/accuracy": 0.25 } },
  { step: 2, values: { loss: 0.6, "motion/loss": 0.65, "motion/accuracy": 0.75 } },
  { step: 3, values: { loss: Number.NaN, "vibes/accuracy": 1, "smoothness/accuracy": 0.5 } },
];

describe("run series -> chart data", () => {
  it("keeps finite points only, in step order", () => {
    expect(pointsOf(SERIES, "loss")).toEqual([{ x: 1, y: 0.69 }, { x: 2, y: 0.6 }]);
    expect(pointsOf(SERIES, "missing")).toEqual([]);
  });

  it("finds dimensions from '<dim>/<metric>' keys, the platform's order first, unknown ones after", () => {
    expect(seriesDimensions(SERIES, ["smoothness", "motion", "appeal"])).toEqual(["smoothness", "motion", "vibes"]);
    expect(seriesDimensions([])).toEqual([]);
  });

  it("draws one line per dimension that has values, named by the caller", () => {
    const lines = perDimensionLines(SERIES, "accuracy", ["smoothness", "motion", "appeal"], (d) => d.toUpperCase());
    expect(lines.map((l) => l.name)).toEqual(["SMOOTHNESS", "MOTION"]);
    expect(lines[1].points).toEqual([{ x: 1, y: 0.5 }, { x: 2, y: 0.75 }]);
    expect(overallLines(SERIES, ["loss", "mean_dpo"]).map((l) => l.name)).toEqual(["loss"]);
  });

  it("reports the newest finite value per key", () => {
    const latest = latestValues(SERIES);
    expect(latest.loss).toEqual({ step: 2, value: 0.6 });
    expect(latest["smoothness/accuracy"]).toEqual({ step: 3, value: 0.5 });
    expect(latest.lr).toEqual({ step: 1, value: 1e-4 });
  });
});

describe("frame weighting", () => {
  it("reads dense GAPO and its beta from a GAPO run's config, and nothing from other kinds", () => {
    expect(frameWeighting({ kind: "gapo", config: { frame_weighting: "segments", dense_beta: 2 } })).toEqual({ mode: "segments", dense: true, beta: 2 });
    expect(frameWeighting({ kind: "gapo", config: { frame_weighting: "none", dense_beta: 2 } })).toEqual({ mode: "none", dense: false, beta: null });
    expect(frameWeighting({ kind: "gapo", config: {} })).toEqual({ mode: "none", dense: false, beta: null });
    expect(frameWeighting({ kind: "gapo", config: { frame_weighting: "segments", dense_beta: "x" } })).toEqual({ mode: "segments", dense: true, beta: null });
    expect(frameWeighting({ kind: "reward", config: { frame_weighting: "segments" } })).toBeNull();
  });
});

describe("run errors", () => {
  it("shows the message and keeps a traceback for the details toggle", () => {
    const error = "DataError: invalid input syntax for type json\nTraceback (most recent call last):\n  File \"x.py\", line 1\nDataError: boom";
    expect(splitError(error)).toEqual({ message: "DataError: invalid input syntax for type json", details: error });
    expect(splitError("Traceback (most recent call last):\n  File \"x\"\nValueError: bad")).toMatchObject({ message: "ValueError: bad" });
    expect(splitError("worker lost")).toEqual({ message: "worker lost", details: "" });
  });
});

describe("formatting", () => {
  it("shows a succeeded run as full and clamps the server's progress", () => {
    expect(progressOf({ state: "succeeded", progress: 0.4, step: 4, total_steps: 10 })).toBe(1);
    expect(progressOf({ state: "running", progress: 0.25, step: 1, total_steps: 4 })).toBe(0.25);
    expect(progressOf({ state: "running", progress: 1.7, step: 1, total_steps: 4 })).toBe(1);
    expect(stepText({ step: 3, total_steps: 40 })).toBe("3 / 40");
    expect(stepText({ step: 12, total_steps: 0 })).toBe("12");
  });

  it("measures heartbeat age in whole seconds and flags a silent running run", () => {
    const now = Date.parse("2026-01-01T00:01:30Z");
    expect(ageSeconds("2026-01-01T00:01:00Z", now)).toBe(30);
    expect(ageSeconds("2026-01-01T00:02:00Z", now)).toBe(0); // server clock ahead
    expect(ageSeconds(null, now)).toBeNull();
    expect(heartbeatIsLate({ state: "running", heartbeat_at: "2026-01-01T00:00:00Z" }, now)).toBe(true);
    expect(heartbeatIsLate({ state: "running", heartbeat_at: "2026-01-01T00:01:00Z" }, now)).toBe(false);
    expect(heartbeatIsLate({ state: "failed", heartbeat_at: "2026-01-01T00:00:00Z" }, now)).toBe(false);
    expect(elapsedSeconds({ started_at: "2026-01-01T00:00:00Z", finished_at: "2026-01-01T00:00:45Z" }, now)).toBe(45);
    expect(elapsedSeconds({ started_at: "2026-01-01T00:00:00Z", finished_at: null }, now)).toBe(90);
    expect(elapsedSeconds({ started_at: null, finished_at: null }, now)).toBeNull();
  });

  it("writes durations, percentages and signed deltas compactly", () => {
    expect([8, 59, 60, 3599, 3600, 3660, 172800].map(durationText)).toEqual(["8 s", "59 s", "1 min", "59 min", "1 h", "1 h 1 min", "2 d"]);
    expect(durationText(null)).toBe("—");
    expect(pct(0.8125)).toBe("81.3%");
    expect(pct(null)).toBe("—");
    expect(pct(Number.NaN)).toBe("—");
    expect(signed(0.042)).toBe("+0.042");
    expect(signed(-0.013)).toBe("\u22120.013");
    expect(signed(0)).toBe("0.000");
    expect([signed(0.0004), signed(-0.0004), signed(-0)]).toEqual(["0.000", "0.000", "0.000"]);
  });
});

describe("polling", () => {
  const calm = { hiddenPolls: 0, failures: 0 };
  const noJitter = () => 0;

  it("polls the run page every 2 s until the run is final, then stops", () => {
    expect(runPollDelay(null, calm)).toBe(RUN_POLL_MS); // first answer not in yet
    expect(runPollDelay("queued", calm)).toBe(RUN_POLL_MS);
    expect(runPollDelay("running", calm)).toBe(RUN_POLL_MS);
    for (const state of ["succeeded", "failed", "cancelled"]) {
      expect(isFinal(state)).toBe(true);
      expect(runPollDelay(state, calm)).toBeNull();
      expect(runPollDelay(state, { hiddenPolls: 3, failures: 2 })).toBeNull();
    }
  });

  it("backs off while the tab is hidden, up to the cap", () => {
    expect(runPollDelay("running", { hiddenPolls: 1, failures: 0 })).toBe(4_000);
    expect(runPollDelay("running", { hiddenPolls: 3, failures: 0 })).toBe(16_000);
    expect(runPollDelay("running", { hiddenPolls: 20, failures: 0 })).toBe(MAX_POLL_MS);
  });

  it("backs off after failed requests", () => {
    expect(runPollDelay("running", { hiddenPolls: 0, failures: 1 }, noJitter)).toBe(4_000);
    expect(runPollDelay("running", { hiddenPolls: 0, failures: 3 }, noJitter)).toBe(16_000);
    expect(runPollDelay("running", { hiddenPolls: 0, failures: 30 }, noJitter)).toBe(MAX_POLL_MS);
  });

  it("polls the list fast only while something is active", () => {
    expect(listPollDelay(true, calm)).toBe(LIST_ACTIVE_POLL_MS);
    expect(listPollDelay(false, calm)).toBe(LIST_IDLE_POLL_MS);
    expect(listPollDelay(false, { hiddenPolls: 2, failures: 0 })).toBe(MAX_POLL_MS);
  });
});

const model = (id: number, accuracy: number | null, dims: Record<string, number | null>, promoted = false): RewardModel => ({
  id,
  run: id * 10,
  dataset_version: 1,
  accuracy,
  dimensions: Object.fromEntries(Object.entries(dims).map(([d, a]) => [d, { accuracy: a, accuracy_ties: null, spearman: null, pairs: 12 }])),
  promoted,
  promoted_at: null,
  promotion_note: "",
  created_at: "2026-01-01T00:00:00Z",
});

describe("reward-model comparison", () => {
  const models = [model(2, 0.7, { motion: 0.8, smoothness: 0.6 }), model(1, 0.72, { smoothness: 0.74, motion: 0.7, extra: null }, true)];

  it("lists every dimension of any version, the platform's order first", () => {
    expect(comparisonDimensions(models, ["smoothness", "motion"])).toEqual(["smoothness", "motion", "extra"]);
  });

  it("marks the best version per column, and never a lone or missing value", () => {
    const rows = comparisonRows(models, ["smoothness", "motion", "extra"]);
    expect(rows.map((r) => r.mean)).toEqual([{ value: 0.7, best: false }, { value: 0.72, best: true }]);
    expect(rows[0].cells.map((c) => c.best)).toEqual([false, true, false]);
    expect(rows[1].cells.map((c) => c.best)).toEqual([true, false, false]);
    expect(rows[1].cells[2]).toEqual({ value: null, best: false });
    expect(comparisonRows([models[0]], ["motion"])[0].cells[0].best).toBe(false);
  });

  it("turns a reward report into rows with the weakest generators first", () => {
    const rows = reportRows(
      { pairs: 40, dimensions: { motion: { pairs: 40, accuracy: 0.8, accuracy_ties: 0.7, ece: 0.05, per_generator: { g1: 0.9, g2: 0.6, g3: Number.NaN } }, appeal: { accuracy: null } } },
      ["appeal", "motion"],
    );
    expect(rows.map((r) => r.dimension)).toEqual(["appeal", "motion"]);
    expect(rows[0]).toMatchObject({ pairs: null, accuracy: null, spearman: null, generators: [] });
    expect(rows[1].generators).toEqual([{ name: "g2", accuracy: 0.6 }, { name: "g1", accuracy: 0.9 }]);
    expect(reportRows(undefined)).toEqual([]);
  });

  it("reads a GAPO evaluation, computing the delta when the run did not store one", () => {
    const rows = gapoRows({ base: { motion: 0.4, appeal: 0.5 }, trained: { motion: 0.5, appeal: 0.45 }, win_rate: { motion: 0.75 }, samples: 8 }, ["appeal"]);
    expect(rows.map((r) => r.dimension)).toEqual(["appeal", "motion"]);
    expect(rows[0].delta).toBeCloseTo(-0.05);
    expect(rows[1]).toMatchObject({ winRate: 0.75 });
    expect(gapoRows({ report: {} })).toEqual([]);
  });

  it("reads the evaluation where the GAPO executor stores it, under 'eval'", () => {
    const rows = gapoRows({ pairs: 12, eval: { samples: 4, base: { motion: 0.4 }, trained: { motion: 0.45 }, delta: { motion: 0.05 } }, samples: [] });
    expect(rows).toEqual([{ dimension: "motion", base: 0.4, trained: 0.45, delta: 0.05, low: null, high: null, prompts: null, winRate: null }]);
  });

  it("reads the score change's interval over held-out prompts and colours a delta only when it excludes zero", () => {
    const [row] = gapoRows({ eval: { base: { motion: 0.4 }, trained: { motion: 0.46 }, delta: { motion: 0.06 },
      delta_ci: { motion: { mean: 0.06, low: 0.01, high: 0.11, prompts: 8 } } } });
    expect(row).toMatchObject({ low: 0.01, high: 0.11, prompts: 8 });
    expect(interval(row.low, row.high)).toBe("[+0.010, +0.110]");
    expect(deltaClass(row.delta, row.low, row.high)).toBe("up");
    expect(deltaClass(-0.02, -0.05, -0.001)).toBe("down");
    expect(deltaClass(0.01, -0.02, 0.04)).toBe("");
    expect(deltaClass(0, null, null)).toBe("");
    expect(deltaClass(0.0004, 0.0001, 0.0007)).toBe(""); // displayed as 0.000: not green
    expect(interval(null, 0.1)).toBe("—");
  });
});

describe("GAPO samples", () => {
  it("finds videos, score rows and extras whatever the keys are", () => {
    const parts = sampleParts({
      prompt: "A girl waves",
      base_url: "/media/runs/1/base.mp4",
      trained_video: "/media/runs/1/trained.mp4",
      local_video: "videos/k__0__base.mp4", // a path, not a URL: not playable, shown as text
      base_scores: { motion: 0.4, appeal: 0.5 },
      trained_scores: { motion: 0.6, appeal: Number.NaN, character: 0.7 },
      sample: 0,
      nested: { ignored: true },
    });
    expect(parts.prompt).toBe("A girl waves");
    expect(parts.videos).toEqual([{ name: "base", url: "/media/runs/1/base.mp4" }, { name: "trained", url: "/media/runs/1/trained.mp4" }]);
    expect(parts.dimensions).toEqual(["motion", "appeal", "character"]);
    expect(parts.scores[1]).toEqual({ name: "trained", scores: { motion: 0.6, character: 0.7 } });
    expect(parts.extras).toEqual([["local_video", "videos/k__0__base.mp4"], ["sample", "0"]]);
  });

  it("tolerates an empty sample", () => {
    expect(sampleParts({})).toEqual({ prompt: "", videos: [], scores: [], dimensions: [], extras: [] });
  });
});
