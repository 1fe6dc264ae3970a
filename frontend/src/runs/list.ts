/**
 * /runs/: every run (filters by kind and state, kept in the query string), the reward-model
 * comparison (versions x per-dimension held-out accuracy) and, for admins, "Run GAPO" / "Run dense GAPO",
 * "Retrain now" per policy and "Promote" per model. Polls every 5 s while a run is active, every
 * 30 s otherwise, slower while the tab is hidden or requests fail (lib/poll.ts). What is drawn
 * comes from listView.ts; this module holds the state and wires requests, polling and rendering.
 */
import { ApiError, type Api } from "../lib/api";
import type { PageChrome } from "../lib/pageBoot";
import { t } from "../lib/i18n";
import { Poller } from "../lib/poll";
import { isActive, listPollDelay } from "./format";
import { renderRunsList, type RunFilter, type RunsListActions, type RunsListState } from "./listView";
import type { Names } from "./sections";
import type { Page, RetrainPolicy, RewardModel, Run, RunsConfig } from "./types";

const PAGE_SIZE = 50;

function filtersQuery(filters: Record<RunFilter, string>, base: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams(base);
  if (filters.kind) q.set("kind", filters.kind);
  if (filters.state) q.set("state", filters.state);
  return q;
}

/** One poll: the runs matching the filters, the reward models and (admins) the retrain policies. */
async function fetchList(api: Api, s: RunsListState) {
  return Promise.all([
    api.get<Page<Run>>(`/api/runs/?${filtersQuery(s.filters, { limit: String(PAGE_SIZE) })}`),
    api.get<Page<RewardModel>>("/api/reward-models/?limit=100"),
    s.admin ? api.get<Page<RetrainPolicy>>("/api/retrain-policies/?limit=100") : Promise.resolve(null),
  ]);
}

export function mountRunsList(root: HTMLElement, config: RunsConfig, api: Api, chrome: PageChrome, names: Names): { render: () => void } {
  const query = new URLSearchParams(window.location.search);
  const s: RunsListState = {
    runs: [], count: 0, models: [], policies: [], loaded: false, updatedAt: null, message: "", busy: "",
    filters: { kind: query.get("kind") ?? "", state: query.get("state") ?? "" },
    admin: config.user.is_admin,
    runsUrl: config.urls.runs,
  };
  // A filter change can overtake a poll in flight: the poller drops the older answer (fresh()).
  const poller = new Poller({
    tick: async (fresh) => {
      let ok = true;
      try {
        const [page, modelPage, policyPage] = await fetchList(api, s);
        if (!fresh()) return true;
        Object.assign(s, { runs: page.results, count: page.count, models: modelPage.results, policies: policyPage?.results ?? [], loaded: true, updatedAt: new Date(), message: "" });
      } catch (exc) {
        if (!fresh()) return false;
        ok = false;
        s.message = exc instanceof ApiError ? exc.detail : t("banner.network");
      }
      render();
      return ok;
    },
    delay: (p) => listPollDelay(s.runs.some((r) => isActive(r.state)), p),
  });
  const act = async (key: string, confirmText: string, call: () => Promise<string>) => {
    if (s.busy || !window.confirm(confirmText)) return;
    s.busy = key;
    render();
    try {
      chrome.toasts.show(await call());
      chrome.banners.clear("action");
    } catch (exc) {
      chrome.banners.show("action", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
    }
    s.busy = "";
    await poller.now();
  };
  const actions = runsListActions(api, act, (name, value) => {
    s.filters[name] = value;
    const q = filtersQuery(s.filters).toString();
    history.replaceState(null, "", `${window.location.pathname}${q ? `?${q}` : ""}`);
    void poller.now();
  });
  function render(): void {
    const focusedId = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    root.replaceChildren(...renderRunsList(s, actions, names));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }
  render();
  void poller.start();
  return { render };
}

type Act = (key: string, confirmText: string, call: () => Promise<string>) => Promise<void>;

/** The admin buttons: each asks first, posts, toasts the outcome and polls at once. */
function runsListActions(api: Api, act: Act, setFilter: RunsListActions["setFilter"]): RunsListActions {
  return {
    runGapo: () =>
      void act("gapo", t("runs.runGapoConfirm"), async () => t("runs.started", { id: (await api.post<Run>("/api/runs/", { kind: "gapo" })).id })),
    runDenseGapo: () =>
      void act("gapo-dense", t("runs.runDenseGapoConfirm"), async () => t("runs.started", { id: (await api.post<Run>("/api/runs/", { kind: "gapo", dense: true })).id })),
    retrain: (p) =>
      void act(`retrain-${p.id}`, t("runs.retrainConfirm", { name: p.name }), async () => t("runs.started", { id: (await api.post<Run>(`/api/retrain-policies/${p.id}/retrain/`)).id })),
    promote: (m) =>
      void act(`promote-${m.id}`, t("runs.promoteConfirm", { id: m.id }), async () => t("runs.promotedToast", { id: (await api.post<RewardModel>(`/api/reward-models/${m.id}/promote/`)).id })),
    setFilter,
  };
}
