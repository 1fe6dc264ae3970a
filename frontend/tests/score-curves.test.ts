// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { mountPairCurves, pairCurvesView, type PairCurvesContext } from "../src/data/pairCurves";
import type { Api } from "../src/lib/api";
import { lineScale } from "../src/lib/chart";
import { setLang, t } from "../src/lib/i18n";
import { clipTiming, curveLines, curvePlot, curveView, followPlayer, playheadX, type CurvesAnswer, type CurveVideo } from "../src/lib/scoreCurve";
import { curvesCard } from "../src/runs/curves";
import type { Names } from "../src/runs/sections";
import type { RunDetail } from "../src/runs/types";

const dimName = (k: string) => ({ smoothness: "Visual smoothness", motion: "Visual motion" })[k] ?? k;
const names: Names = { known: ["smoothness", "motion"], dim: dimName };

function video(id: number, overrides: Partial<CurveVideo> = {}): CurveVideo {
  return {
    video: id, url: `/media/${id}.mp4`, prompt: `prompt ${id}`, frame_count: 25, fps: 12, duration_s: 25 / 12, scored: true,
    scores: { overall: 0.5 }, dip: { dimension: "motion", position: 0.5, score: 0.2, depth: 0.4 },
    curves: { positions: [0, 0.5, 1], curves: { motion: [0.8, 0.2, 0.9], smoothness: [0.7, null, 0.6] } }, ...overrides,
  };
}

const answer = (overrides: Partial<CurvesAnswer> = {}): CurvesAnswer => ({
  model: { id: 4, frame_dimensions: ["smoothness", "motion"] }, videos: [video(17), video(18)], scoring_run: 9, ...overrides,
});

describe("score curve timing and lines", () => {
  it("puts the last sampled frame one frame before the end of the player's timeline", () => {
    expect(clipTiming({ frame_count: 25, fps: 12, duration_s: null })).toEqual({ duration: 25 / 12, lastFrame: 2 });
    expect(clipTiming({ frame_count: null, fps: null, duration_s: 3 })).toEqual({ duration: 3, lastFrame: 3 });
    expect(clipTiming({ frame_count: 0, fps: 12, duration_s: null })).toBeNull();
  });

  it("draws one line per dimension in the model's order, in seconds, leaving out missing points", () => {
    const lines = curveLines(video(1).curves!, 2, ["smoothness", "motion"], dimName);
    expect(lines.map((l) => l.name)).toEqual(["Visual smoothness", "Visual motion"]);
    expect(lines[0].points).toEqual([{ x: 0, y: 0.7 }, { x: 2, y: 0.6 }]);
    expect(lines[1].points.map((p) => p.x)).toEqual([0, 1, 2]);
  });

  it("maps the playhead onto the same axis as the lines and keeps it inside the clip", () => {
    const timing = { duration: 2, lastFrame: 1.9 };
    const scale = lineScale([], { width: 480, height: 180, xDomain: [0, 2], yDomain: [0, 1] });
    expect(playheadX(scale, 0, timing)).toBe(scale.pad.left);
    expect(playheadX(scale, 2, timing)).toBe(480 - scale.pad.right);
    expect(playheadX(scale, 9, timing)).toBe(playheadX(scale, 2, timing));
    expect(playheadX(scale, 1, timing)).toBeCloseTo((scale.pad.left + 480 - scale.pad.right) / 2);
  });
});

describe("what a plot says without a curve", () => {
  it.each([
    [answer({ model: null, videos: [] }), "curve.noModel"],
    [answer({ model: { id: 4, frame_dimensions: [] } }), "curve.noHeads"],
    [answer({ videos: [video(17, { scored: false, curves: null })] }), "curve.notScored"],
    [answer({ videos: [] }), "curve.notScored"],
    [answer({ videos: [video(17, { curves: null })] }), "curve.noCurve"],
  ] as const)("%#: %s", (a, key) => {
    const view = curveView(a, 17, dimName);
    expect(view).toEqual({ kind: "message", key });
    const plot = curvePlot(view, "Video A", dimName);
    expect(plot.el.dataset.curve).toBe("none");
    expect(plot.el.textContent).toContain(t(key));
  });

  it("has the no-heads and not-scored sentences in every language", async () => {
    const { DICTIONARIES } = await import("../src/lib/i18n");
    for (const dict of Object.values(DICTIONARIES)) for (const key of ["curve.noHeads", "curve.notScored", "curve.noModel"] as const) expect(dict[key]).toBeTruthy();
  });
});

describe("curve plot", () => {
  it("draws a line per dimension, a legend, the dip and a playhead that follows the player", () => {
    const plot = curvePlot(curveView(answer(), 17, dimName), "Video A", dimName);
    expect(plot.el.dataset.curve).toBe("drawn");
    expect(plot.el.querySelectorAll(".chart-line-path")).toHaveLength(2);
    expect([...plot.el.querySelectorAll(".legend-item")].map((e) => e.textContent)).toEqual(["Visual smoothness", "Visual motion"]);
    expect(plot.el.querySelector(".curve-dip")?.textContent).toContain("Visual motion");
    const player = document.createElement("video");
    followPlayer(player, plot);
    const head = plot.el.querySelector(".chart-playhead")!;
    const before = Number(head.getAttribute("x1"));
    Object.defineProperty(player, "currentTime", { value: 1, configurable: true });
    player.dispatchEvent(new Event("timeupdate"));
    expect(head.getAttribute("data-time")).toBe("1.000");
    expect(Number(head.getAttribute("x1"))).toBeGreaterThan(before);
  });

  it("moves only the newest plot when a player is followed again after a re-render", () => {
    const player = document.createElement("video");
    const first = curvePlot(curveView(answer(), 17, dimName), "A", dimName);
    const second = curvePlot(curveView(answer(), 17, dimName), "A", dimName);
    followPlayer(player, first);
    followPlayer(player, second);
    Object.defineProperty(player, "currentTime", { value: 0.5, configurable: true });
    player.dispatchEvent(new Event("seeked"));
    expect(first.el.querySelector(".chart-playhead")?.getAttribute("data-time")).toBe("0.000");
    expect(second.el.querySelector(".chart-playhead")?.getAttribute("data-time")).toBe("0.500");
  });
});

describe("pair page curves", () => {
  const ctx: PairCurvesContext = { ids: { a: 17, b: 18 }, labels: { a: "Video A", b: "Video B" }, dimName, player: () => null };

  it("plots both videos under the title naming the model", () => {
    const view = pairCurvesView(answer(), ctx);
    expect(view.title).toBe(t("curve.titleModel", { model: 4 }));
    expect(view.plots.map((p) => p.el.dataset.curve)).toEqual(["drawn", "drawn"]);
  });

  it("says which video is not scored yet", () => {
    const view = pairCurvesView(answer({ videos: [video(17)] }), ctx);
    expect(view.plots.map((p) => p.el.dataset.curve)).toEqual(["drawn", "none"]);
    expect(view.plots[1].el.textContent).toContain(t("curve.notScored"));
  });

  describe("on a language change", () => {
    afterEach(() => setLang("en"));

    it("redraws the loaded curves in the new language without fetching again", async () => {
      let fetches = 0;
      const api = { get: () => (fetches++, Promise.resolve(answer({ model: null }))) } as unknown as Api;
      const card = mountPairCurves(api, { ...ctx, labels: { ...ctx.labels } });
      await new Promise((r) => setTimeout(r, 0));
      setLang("zh-hans");
      card.relabel({ a: "视频 A", b: "视频 B" });
      expect(card.el.querySelector("h2")?.textContent).toBe(t("curve.title"));
      expect(card.el.textContent).toContain("视频 B");
      expect(card.el.dataset.curves).toBe("loaded");
      expect(fetches).toBe(1);
    });
  });
});

describe("run page curves", () => {
  const detail = (overrides: Partial<RunDetail>): RunDetail => ({
    id: 9, kind: "scoring", state: "succeeded", progress: 1, step: 2, total_steps: 2, attempt: 1, worker: "", heartbeat_at: null,
    cancel_requested: false, trigger: "chain", config: {}, options: {}, dataset_version: null, reward_model: 4, parent: 8, metrics: {},
    error: "", checkpoint_uri: "", reward_model_version: null, created_by: null, created_at: "2026-01-01T00:00:00Z", started_at: null,
    finished_at: null, page_url: "/runs/9/", series: [], log_tail: "", samples: [], curves: answer(), ...overrides,
  });

  it("shows each picked video with its curve under it", () => {
    const el = curvesCard(detail({}), names)!;
    const items = [...el.querySelectorAll<HTMLElement>(".curve-item")];
    expect(items.map((i) => i.dataset.video)).toEqual(["17", "18"]);
    expect(items[0].querySelector("video")?.getAttribute("src")).toBe("/media/17.mp4");
    expect(items[0].querySelector(".curve-plot")?.getAttribute("data-curve")).toBe("drawn");
  });

  it("is readable without curves and absent for runs that have none", () => {
    expect(curvesCard(detail({ curves: answer({ model: { id: 4, frame_dimensions: [] } }) }), names)?.textContent).toContain(t("curve.noHeads"));
    expect(curvesCard(detail({ state: "running", curves: answer({ videos: [] }) }), names)?.textContent).toContain(t("curve.runPending"));
    expect(curvesCard(detail({ kind: "reward", curves: answer({ videos: [], scoring_run: null }) }), names)?.textContent).toContain(t("curve.runPending"));
    expect(curvesCard(detail({ curves: answer({ videos: [] }) }), names)?.textContent).toContain(t("curve.runNone"));
    expect(curvesCard(detail({ kind: "gapo", curves: null }), names)).toBeNull();
    expect(curvesCard(detail({ curves: undefined }), names)).toBeNull();
  });

  it("names the scoring run on a reward run's page", () => {
    expect(curvesCard(detail({ kind: "reward" }), names)?.textContent).toContain(t("curve.fromRun", { id: 9 }));
  });
});
