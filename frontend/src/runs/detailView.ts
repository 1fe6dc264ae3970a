/**
 * What /runs/<id>/ shows, drawn from its state: the head (live or final), the status card (progress,
 * heartbeat, cancel, error), then the curves, the held-out evaluation, samples, score curves
 * (curves.ts) and the log tail.
 * Pure: state in, elements out; detail.ts owns the state, the requests and the polling.
 */
import { h } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { ageSeconds, durationText, elapsedSeconds, frameWeighting, heartbeatIsLate, isActive, isFinal, splitError, stepText } from "./format";
import { curvesCard } from "./curves";
import { chartsCard, logCard, metricsCard, samplesCard, type Names } from "./sections";
import type { RunDetail, RunsConfig } from "./types";
import { card, facts, formatTime, kindName, progressBar, stateBadge } from "./widgets";

export interface RunPageState {
  run: RunDetail | null;
  /** The last request's error ("" when it answered). */
  message: string;
  /** A cancel request is in flight. */
  busy: boolean;
  /** Polls made so far (data-polls, for tests and tools). */
  polls: number;
  /** The run is gone for this user (404/403): polling stopped. */
  gone: boolean;
}

function link(href: string, text: string): HTMLElement {
  return h("a", { href }, text);
}

export function statusCard(run: RunDetail, config: RunsConfig, onCancel: () => void, busy: boolean): HTMLElement {
  const now = Date.now();
  const beat = ageSeconds(run.heartbeat_at, now);
  const late = heartbeatIsLate(run, now);
  const heartbeat = beat === null ? "—" : h("span", { class: late ? "late" : "", "data-heartbeat-age": beat }, t("run.heartbeatAgo", { age: durationText(beat) }), late ? ` · ${t("run.heartbeatLate")}` : "");
  const canCancel = config.user.is_admin && isActive(run.state) && !run.cancel_requested;
  return card(
    "status",
    t("run.status"),
    h(
      "div",
      { class: "status-row" },
      progressBar(run, t("run.progress")),
      h("span", { class: "step-text", "data-step-text": "" }, `${t("run.step")} ${stepText(run)}`),
      canCancel ? h("button", { type: "button", class: "btn btn-danger", id: "run-cancel", disabled: busy, onclick: onCancel }, t("run.cancel")) : null,
    ),
    run.cancel_requested && isActive(run.state) ? h("p", { class: "notice", role: "status" }, t("run.cancelRequested")) : null,
    run.error ? errorBlock(run.error) : null,
    facts([
      ["run.worker", run.worker || "—"],
      ["run.attempt", String(run.attempt)],
      ["run.heartbeat", isFinal(run.state) ? "—" : heartbeat],
      ["run.elapsed", durationText(elapsedSeconds(run, now))],
      ["run.trigger", run.trigger || "—"],
      ["run.createdBy", run.created_by ?? "—"],
      ["run.created", formatTime(run.created_at)],
      ["run.finished", formatTime(run.finished_at)],
      ["run.dataset", run.dataset_version === null ? "—" : `#${run.dataset_version}`],
      ["run.rewardModel", run.reward_model === null ? "—" : `v${run.reward_model}`],
      ["run.registeredModel", run.reward_model_version ? `v${run.reward_model_version.id}${run.reward_model_version.promoted ? ` ★ ${t("runs.promoted")}` : ""}` : "—"],
      ["run.parent", run.parent === null ? "—" : link(`${config.urls.runs}${run.parent}/`, `#${run.parent}`)],
      ...weightingFact(run),
    ]),
  );
}

/** A GAPO run's frame weighting (its config's frame_weighting and dense_beta): dense or plain at a glance. */
export function weightingFact(run: RunDetail): [MessageKey, string | Node][] {
  const w = frameWeighting(run);
  if (w === null) return [];
  const text = w.dense ? t("run.weightingSegments", { beta: w.beta === null ? "—" : String(w.beta) }) : w.mode === "none" ? t("run.weightingNone") : w.mode;
  return [["run.frameWeighting", h("span", { "data-frame-weighting": w.mode }, text)]];
}

/** The error's message in view; a Python traceback behind a "details" toggle. */
export function errorBlock(error: string): HTMLElement {
  const { message, details } = splitError(error);
  return h(
    "div",
    { class: "run-error", role: "alert" },
    h("h3", {}, t("run.error")),
    h("p", { class: "run-error-message" }, message),
    details ? h("details", {}, h("summary", {}, t("run.errorDetails")), h("pre", {}, details)) : null,
  );
}

/**
 * Draws the page into `root`. Its data-state / data-step / data-live / data-polls let tests and
 * tools watch the run.
 */
export function renderRunPage(root: HTMLElement, s: RunPageState, config: RunsConfig, names: Names, onCancel: () => void): void {
  root.dataset.polls = String(s.polls);
  const run = s.run;
  if (!run) {
    root.replaceChildren(h("p", { class: "muted", "aria-live": "polite" }, s.message || t("run.loading")));
    return;
  }
  root.dataset.state = run.state;
  root.dataset.step = String(run.step);
  const live = !isFinal(run.state) && !s.gone;
  root.dataset.live = String(live);
  root.replaceChildren(
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, t("run.title", { id: run.id }), h("span", { class: "muted kind" }, ` · ${kindName(run.kind)}`)),
      stateBadge(run.state),
      h("span", { class: `live ${live ? "is-live" : ""}`, "aria-live": "polite" }, live ? t("run.live") : t("run.final")),
      h("span", { class: "muted" }, s.message),
      h("a", { href: config.urls.runs, class: "back" }, `← ${t("run.backToRuns")}`),
    ),
    ...[statusCard(run, config, onCancel, s.busy), chartsCard(run, names), metricsCard(run, names), samplesCard(run, names), curvesCard(run, names), logCard(run)].filter((el): el is HTMLElement => el !== null),
  );
}
