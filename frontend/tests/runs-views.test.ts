// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import { t } from "../src/lib/i18n";
import { renderRunPage, type RunPageState } from "../src/runs/detailView";
import { policyBackoff, renderRunsList, type RunsListActions, type RunsListState } from "../src/runs/listView";
import type { Names } from "../src/runs/sections";
import type { RetrainPolicy, RewardModel, Run, RunDetail, RunsConfig } from "../src/runs/types";

const names: Names = { known: ["smoothness", "motion"], dim: (k) => ({ smoothness: "Visual smoothness", motion: "Visual motion" })[k] ?? k };

function run(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    id: 7, kind: "reward", state: "running", progress: 0.3, step: 3, total_steps: 10, attempt: 1, worker: "gpu-host:4242",
    heartbeat_at: null, cancel_requested: false, trigger: "manual", config: {}, options: {}, dataset_version: 2, reward_model: null,
    parent: null, metrics: {}, error: "", checkpoint_uri: "", reward_model_version: null, created_by: "carol",
    created_at: "2026-01-01T00:00:00Z", started_at: "2026-01-01T00:00:00Z", finished_at: null, page_url: "/runs/7/",
    series: [], log_tail: "", samples: [], ...overrides,
  };
}

const model = (id: number, accuracy: number, promoted: boolean, note = ""): RewardModel => ({
  id, run: id * 10, dataset_version: 1, accuracy, promoted, promoted_at: null, promotion_note: note, created_at: "2026-01-01T00:00:00Z",
  dimensions: { motion: { accuracy, accuracy_ties: null, spearman: null, pairs: 10 } },
});

function listState(overrides: Partial<RunsListState> = {}): RunsListState {
  return {
    runs: [], count: 0, models: [], policies: [], loaded: true, updatedAt: null, message: "", busy: "",
    filters: { kind: "", state: "" }, admin: false, runsUrl: "/runs/", ...overrides,
  };
}

function actions(): RunsListActions & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    runGapo: () => calls.push("gapo"),
    runDenseGapo: () => calls.push("gapo-dense"),
    retrain: (p) => calls.push(`retrain-${p.id}`),
    promote: (m) => calls.push(`promote-${m.id}`),
    setFilter: (name, value) => calls.push(`${name}=${value}`),
  };
}

const section = (els: HTMLElement[], card: string) => els.find((el) => el.dataset.card === card);

describe("runs list view", () => {
  it("says loading before the first answer and 'no runs' after it", () => {
    const loading = renderRunsList(listState({ loaded: false }), actions(), names);
    expect(section(loading, "runs")?.querySelector(".empty-state")?.textContent).toBe(t("run.loading"));
    const none = renderRunsList(listState(), actions(), names);
    expect(section(none, "runs")?.querySelector(".empty-state")?.textContent).toBe(t("runs.empty"));
  });

  it("draws one row per run with its link, state and progress, and the count", () => {
    const els = renderRunsList(listState({ runs: [run() as Run, run({ id: 8, state: "succeeded", page_url: "" }) as Run], count: 12 }), actions(), names);
    const runs = section(els, "runs")!;
    expect([...runs.querySelectorAll("tbody tr")].map((tr) => tr.querySelector("a")?.getAttribute("href"))).toEqual(["/runs/7/", "/runs/8/"]);
    expect(runs.querySelector("[data-run-count]")?.getAttribute("data-run-count")).toBe("12");
    expect(runs.querySelector("[data-run-count]")?.textContent).toContain("12");
    expect(runs.querySelector("tbody tr [role=progressbar]")?.getAttribute("aria-valuenow")).toBe("30");
    expect(runs.querySelectorAll("tbody [data-state=succeeded]")).toHaveLength(1);
  });

  it("keeps the filters selected and reports a change", () => {
    const a = actions();
    const els = renderRunsList(listState({ filters: { kind: "gapo", state: "" } }), a, names);
    const kind = section(els, "runs")!.querySelector<HTMLSelectElement>("#filter-kind")!;
    expect([...kind.querySelectorAll("option[selected]")].map((o) => o.getAttribute("value"))).toEqual(["gapo"]);
    kind.value = "reward";
    kind.dispatchEvent(new Event("change"));
    expect(a.calls).toEqual(["kind=reward"]);
  });

  it("shows the actions card to admins only, with the busy button disabled", () => {
    const policy: RetrainPolicy = { id: 3, name: "nightly", enabled: false, campaign_ids: [1, 2], min_new_judgments: 50, last_checked_at: null };
    expect(section(renderRunsList(listState({ policies: [policy] }), actions(), names), "actions")).toBeUndefined();
    const a = actions();
    const els = renderRunsList(listState({ admin: true, policies: [policy], busy: "retrain-3" }), a, names);
    const card = section(els, "actions")!;
    expect(card.querySelector<HTMLButtonElement>("[data-action=retrain-3]")!.disabled).toBe(true);
    expect(card.querySelector("[data-policy='3']")?.textContent).toContain("nightly");
    card.querySelector<HTMLButtonElement>("[data-action=gapo]")!.click();
    expect(a.calls).toEqual(["gapo"]);
  });

  it("offers dense GAPO beside Run GAPO, explained in one line, and marks dense runs in the table", () => {
    const a = actions();
    const dense = run({ id: 9, kind: "gapo", config: { frame_weighting: "segments", dense_beta: 1 } }) as Run;
    const plain = run({ id: 10, kind: "gapo", config: { frame_weighting: "none", dense_beta: 1 } }) as Run;
    const els = renderRunsList(listState({ admin: true, runs: [dense, plain], busy: "gapo-dense" }), a, names);
    const button = section(els, "actions")!.querySelector<HTMLButtonElement>("[data-action=gapo-dense]")!;
    expect(button.textContent).toBe(t("runs.runDenseGapo"));
    expect(button.tagName).toBe("BUTTON"); // a real button: Tab reaches it, Enter and Space press it
    expect(button.disabled).toBe(true); // its request is in flight
    const help = section(els, "actions")!.querySelector(`#${button.getAttribute("aria-describedby")}`);
    expect(help?.textContent).toBe(t("runs.runDenseGapoHelp"));
    const rows = [...section(els, "runs")!.querySelectorAll("tbody tr")];
    expect(rows.map((tr) => tr.querySelector("[data-dense]")?.textContent ?? null)).toEqual([t("runs.dense"), null]);
    const idle = section(renderRunsList(listState({ admin: true }), a, names), "actions")!;
    idle.querySelector<HTMLButtonElement>("[data-action=gapo-dense]")!.click();
    expect(a.calls).toEqual(["gapo-dense"]);
  });

  it("tells a policy waiting out its backoff from one that gave up", () => {
    const base: RetrainPolicy = { id: 1, name: "p", enabled: true, campaign_ids: [], min_new_judgments: 1, last_checked_at: null };
    expect(policyBackoff(base)).toBeNull();
    expect(policyBackoff({ ...base, backoff: { failures: 0, until: null, reason: "" } })).toBeNull();
    const waiting = policyBackoff({ ...base, backoff: { failures: 2, until: "2030-01-01T00:00:00Z", reason: "OOM" } })!;
    expect(waiting.dataset.backoff).toBe("waiting");
    expect(waiting.querySelector("code")?.textContent).toBe("OOM");
    expect(policyBackoff({ ...base, backoff: { failures: 5, until: null, reason: "boom" } })!.dataset.backoff).toBe("failed");
  });

  it("compares reward models, offering Promote to admins for versions not promoted", () => {
    const a = actions();
    const models = [model(2, 0.8, false), model(1, 0.7, true, "first")];
    const card = section(renderRunsList(listState({ admin: true, models }), a, names), "models")!;
    expect(card.querySelectorAll(".promoted-mark")).toHaveLength(1);
    expect(card.querySelector("[data-action=promote-1]")).toBeNull();
    card.querySelector<HTMLButtonElement>("[data-action=promote-2]")!.click();
    expect(a.calls).toEqual(["promote-2"]);
    const reader = section(renderRunsList(listState({ models }), actions(), names), "models")!;
    expect(reader.querySelectorAll("button")).toHaveLength(0);
    expect(reader.querySelector(".note")?.textContent).toBe("first");
  });

  it("puts the last error where 'updated' goes", () => {
    const [head] = renderRunsList(listState({ message: "Server error" }), actions(), names);
    expect(head.querySelector("[aria-live]")?.textContent).toBe("Server error");
  });
});

describe("run page view", () => {
  const config: RunsConfig = { user: { username: "rita", is_admin: false }, urls: { home: "/", login: "/login/", api: "/api/", runs: "/runs/" }, page: "run" };
  const state = (overrides: Partial<RunPageState> = {}): RunPageState => ({ run: run(), message: "", busy: false, polls: 3, gone: false, ...overrides });

  it("marks a running run live and exposes its state for tests and tools", () => {
    const root = document.createElement("div");
    renderRunPage(root, state(), config, names, () => undefined);
    expect({ ...root.dataset }).toEqual({ polls: "3", state: "running", step: "3", live: "true" });
    expect(root.querySelector(".live")?.textContent).toBe(t("run.live"));
    expect(root.querySelector("[data-card=status] [role=progressbar]")?.getAttribute("aria-valuenow")).toBe("30");
    expect(root.querySelector("#run-cancel")).toBeNull(); // reviewers read; only admins cancel
    expect(root.querySelector("[data-card=log] .empty-state")).not.toBeNull();
  });

  it("shows a GAPO run's frame weighting: dense with its beta, or none; other kinds have none", () => {
    const weighting = (r: RunDetail) => {
      const root = document.createElement("div");
      renderRunPage(root, state({ run: r }), config, names, () => undefined);
      return root.querySelector<HTMLElement>("[data-card=status] [data-frame-weighting]");
    };
    const dense = weighting(run({ kind: "gapo", config: { frame_weighting: "segments", dense_beta: 2.5 } }))!;
    expect(dense.dataset.frameWeighting).toBe("segments");
    expect(dense.textContent).toBe(t("run.weightingSegments", { beta: "2.5" }));
    expect(dense.closest("dl")?.textContent).toContain(t("run.frameWeighting"));
    expect(weighting(run({ kind: "gapo", config: { frame_weighting: "none", dense_beta: 1 } }))!.textContent).toBe(t("run.weightingNone"));
    expect(weighting(run({ kind: "gapo", config: {} }))!.dataset.frameWeighting).toBe("none"); // stored before #22
    expect(weighting(run())).toBeNull();
  });

  it("says a promoted reward model was replaced later instead of 'not promoted' beside its promotion note", () => {
    const brief = (promoted: boolean) => ({ id: 3, accuracy: 0.9, promoted, promotion_note: "promoted: first reward model",
      dataset_version: 2, created_at: "2026-01-01T00:00:00Z" });
    const finished = (promoted: boolean) => run({ state: "succeeded", step: 10, reward_model_version: brief(promoted),
      metrics: { promotion: { promoted: true, note: "promoted: first reward model" } } });
    const root = document.createElement("div");
    renderRunPage(root, state({ run: finished(false) }), config, names, () => undefined);
    const block = root.querySelector<HTMLElement>(".promotion")!;
    expect(block.dataset.promoted).toBe("false");
    expect(block.querySelector(".badge")?.textContent).toBe(t("run.promotedReplaced"));
    expect(block.textContent).not.toContain(t("run.promotedNo"));
    renderRunPage(root, state({ run: finished(true) }), config, names, () => undefined);
    expect(root.querySelector(".promotion .badge")?.textContent).toBe(`★ ${t("run.promotedYes")}`);
    const refused = run({ state: "succeeded", reward_model_version: { ...brief(false), promotion_note: "" },
      metrics: { promotion: { promoted: false } } });
    renderRunPage(root, state({ run: refused }), config, names, () => undefined);
    expect(root.querySelector(".promotion .badge")?.textContent).toBe(t("run.promotedNo"));
  });

  it("is final once the run is, or once the run is gone", () => {
    const root = document.createElement("div");
    renderRunPage(root, state({ run: run({ state: "succeeded", step: 10 }) }), config, names, () => undefined);
    expect(root.dataset.live).toBe("false");
    renderRunPage(root, state({ gone: true, message: "Not found." }), config, names, () => undefined);
    expect(root.dataset.live).toBe("false");
    expect(root.querySelector(".page-head")?.textContent).toContain("Not found.");
  });

  it("offers cancel to admins while the run is active, disabled while the request is in flight", () => {
    const admin = { ...config, user: { username: "carol", is_admin: true } };
    const onCancel = vi.fn();
    const root = document.createElement("div");
    renderRunPage(root, state(), admin, names, onCancel);
    root.querySelector<HTMLButtonElement>("#run-cancel")!.click();
    expect(onCancel).toHaveBeenCalledOnce();
    renderRunPage(root, state({ busy: true }), admin, names, onCancel);
    expect(root.querySelector<HTMLButtonElement>("#run-cancel")!.disabled).toBe(true);
    renderRunPage(root, state({ run: run({ cancel_requested: true }) }), admin, names, onCancel);
    expect(root.querySelector("#run-cancel")).toBeNull();
    expect(root.querySelector("[data-card=status] .notice")).not.toBeNull();
  });

  it("shows the error's message with the traceback behind a toggle", () => {
    const root = document.createElement("div");
    const error = "ValueError: bad\nTraceback (most recent call last):\n  File \"x.py\"\nValueError: bad";
    renderRunPage(root, state({ run: run({ state: "failed", error }) }), config, names, () => undefined);
    expect(root.querySelector(".run-error-message")?.textContent).toBe("ValueError: bad");
    expect(root.querySelector(".run-error details pre")?.textContent).toBe(error);
  });

  it("says loading, or the error, before the first answer", () => {
    const root = document.createElement("div");
    renderRunPage(root, state({ run: null, polls: 0 }), config, names, () => undefined);
    expect(root.textContent).toBe(t("run.loading"));
    expect(root.dataset.polls).toBe("0");
    renderRunPage(root, state({ run: null, message: "Network trouble" }), config, names, () => undefined);
    expect(root.textContent).toBe("Network trouble");
  });
});
