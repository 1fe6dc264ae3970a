/**
 * /runs/<id>/: one run, live. Polls GET /api/runs/<id>/ every 2 s while the run is queued or
 * running (backing off when the tab is hidden or the server fails) and stops for good once the run
 * is final. The root's data-state / data-step / data-live / data-polls let tests and tools watch it.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { ageSeconds, durationText, elapsedSeconds, heartbeatIsLate, isActive, isFinal, splitError, stepText } from "./format";
import { runPollDelay, type PollState } from "./poll";
import { chartsCard, logCard, metricsCard, samplesCard, type Names } from "./sections";
import type { Run, RunDetail, RunsConfig } from "./types";
import { card, facts, formatTime, kindName, progressBar, stateBadge } from "./widgets";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

function link(href: string, text: string): HTMLElement {
  return h("a", { href }, text);
}

function statusCard(run: RunDetail, config: RunsConfig, onCancel: () => void, busy: boolean): HTMLElement {
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
    ]),
  );
}

/** The error's message in view; a Python traceback behind a "details" toggle. */
function errorBlock(error: string): HTMLElement {
  const { message, details } = splitError(error);
  return h(
    "div",
    { class: "run-error", role: "alert" },
    h("h3", {}, t("run.error")),
    h("p", { class: "run-error-message" }, message),
    details ? h("details", {}, h("summary", {}, t("run.errorDetails")), h("pre", {}, details)) : null,
  );
}

export function mountRunPage(root: HTMLElement, config: RunsConfig, api: Api, chrome: Chrome, names: Names): { render: () => void } {
  const runId = config.run_id ?? Number(root.dataset.run);
  let run: RunDetail | null = null;
  let message = "";
  let busy = false;
  let polls = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let gone = false;
  const poll: PollState = { hiddenPolls: 0, failures: 0 };

  const cancel = async () => {
    if (!run || !window.confirm(t("run.cancelConfirm", { id: run.id }))) return;
    busy = true;
    render();
    try {
      const updated = await api.post<Run>(`/api/runs/${run.id}/cancel/`);
      run = { ...run, ...updated };
      chrome.toasts.show(t("run.cancelSent", { id: updated.id }));
    } catch (exc) {
      chrome.banners.show("cancel", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
    }
    busy = false;
    render();
    // A queued run is cancelled at once (final now); a running one needs the fresh state soon.
    restart();
  };

  function render(): void {
    const focusedId = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    root.dataset.polls = String(polls);
    if (!run) {
      root.replaceChildren(h("p", { class: "muted", "aria-live": "polite" }, message || t("run.loading")));
      return;
    }
    root.dataset.state = run.state;
    root.dataset.step = String(run.step);
    const live = !isFinal(run.state) && !gone;
    root.dataset.live = String(live);
    const sections = [
      h(
        "div",
        { class: "page-head" },
        h("h1", {}, t("run.title", { id: run.id }), h("span", { class: "muted kind" }, ` · ${kindName(run.kind)}`)),
        stateBadge(run.state),
        h("span", { class: `live ${live ? "is-live" : ""}`, "aria-live": "polite" }, live ? t("run.live") : t("run.final")),
        h("span", { class: "muted" }, message),
        h("a", { href: config.urls.runs, class: "back" }, `← ${t("run.backToRuns")}`),
      ),
      statusCard(run, config, () => void cancel(), busy),
      chartsCard(run, names),
      metricsCard(run, names),
      samplesCard(run, names),
      logCard(run),
    ];
    root.replaceChildren(...sections.filter((el): el is HTMLElement => el !== null));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  async function load(): Promise<void> {
    timer = undefined;
    try {
      run = await api.get<RunDetail>(`/api/runs/${runId}/`, { retries: 0 });
      poll.failures = 0;
      message = "";
      chrome.banners.clear("poll");
    } catch (exc) {
      poll.failures += 1;
      if (exc instanceof ApiError && (exc.status === 404 || exc.status === 403)) gone = true;
      message = exc instanceof ApiError ? exc.detail : t("banner.network");
      if (run) chrome.banners.show("poll", message, gone ? "error" : "warn");
    }
    polls += 1;
    render();
    schedule();
  }

  function schedule(): void {
    if (gone) return;
    poll.hiddenPolls = document.visibilityState === "hidden" ? poll.hiddenPolls + 1 : 0;
    const delay = runPollDelay(run?.state ?? null, poll);
    if (delay === null) return; // final: no more requests
    timer = setTimeout(() => void load(), delay);
  }

  /** Poll now (after an action, or when the tab becomes visible), unless the run is final. */
  function restart(): void {
    if (timer === undefined || (run && isFinal(run.state))) return;
    clearTimeout(timer);
    void load();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && poll.hiddenPolls > 0) {
      poll.hiddenPolls = 0;
      restart();
    }
  });
  render();
  void load();
  return { render };
}
