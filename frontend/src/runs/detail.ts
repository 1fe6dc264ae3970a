/**
 * /runs/<id>/: one run, live. Polls GET /api/runs/<id>/ every 2 s while the run is queued or
 * running (backing off when the tab is hidden or the server fails, lib/poll.ts) and stops for good
 * once the run is final or gone. What is drawn comes from detailView.ts; this module holds the
 * state and wires the request, the cancel button and the polling.
 */
import { ApiError, type Api } from "../lib/api";
import { t } from "../lib/i18n";
import type { PageChrome } from "../lib/pageBoot";
import { Poller } from "../lib/poll";
import { isFinal, runPollDelay } from "./format";
import { renderRunPage, type RunPageState } from "./detailView";
import type { Names } from "./sections";
import type { Run, RunDetail, RunsConfig } from "./types";

const failureText = (exc: unknown) => (exc instanceof ApiError ? exc.detail : t("banner.network"));

export function mountRunPage(root: HTMLElement, config: RunsConfig, api: Api, chrome: PageChrome, names: Names): { render: () => void } {
  const runId = config.run_id ?? Number(root.dataset.run);
  const s: RunPageState = { run: null, message: "", busy: false, polls: 0, gone: false };
  const poller = new Poller({
    tick: async () => {
      let ok = true;
      try {
        s.run = await api.get<RunDetail>(`/api/runs/${runId}/`, { retries: 0 });
        s.message = "";
        chrome.banners.clear("poll");
      } catch (exc) {
        ok = false;
        if (exc instanceof ApiError && (exc.status === 404 || exc.status === 403)) s.gone = true;
        s.message = failureText(exc);
        if (s.run) chrome.banners.show("poll", s.message, s.gone ? "error" : "warn");
      }
      s.polls += 1;
      render();
      return ok;
    },
    delay: (p) => (s.gone ? null : runPollDelay(s.run?.state ?? null, p)),
  });
  /** Poll now (after an action), unless the run is final or a poll is already in flight. */
  const restart = () => {
    if (!(s.run && isFinal(s.run.state))) poller.nudge();
  };
  const cancel = async () => {
    const run = s.run;
    if (!run || !window.confirm(t("run.cancelConfirm", { id: run.id }))) return;
    s.busy = true;
    render();
    try {
      const updated = await api.post<Run>(`/api/runs/${run.id}/cancel/`);
      s.run = { ...(s.run ?? run), ...updated }; // a poll may have landed meanwhile
      chrome.toasts.show(t("run.cancelSent", { id: updated.id }));
    } catch (exc) {
      chrome.banners.show("cancel", t("runs.failedRequest", { detail: failureText(exc) }), "error");
    }
    s.busy = false;
    render();
    // A queued run is cancelled at once (final now); a running one needs the fresh state soon.
    restart();
  };
  function render(): void {
    const focusedId = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    renderRunPage(root, s, config, names, () => void cancel());
    if (focusedId) document.getElementById(focusedId)?.focus();
  }
  render();
  void poller.start();
  return { render };
}
