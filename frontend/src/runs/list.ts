/**
 * /runs/: every run (filters by kind and state, kept in the query string), the reward-model
 * comparison (versions x per-dimension held-out accuracy) and, for admins, "Run GAPO",
 * "Retrain now" per policy and "Promote" per model. Polls every 5 s while a run is active, every
 * 30 s otherwise, slower while the tab is hidden.
 */
import { ApiError, type Api } from "../lib/api";
import type { Banners, Toasts } from "../lib/chrome";
import { h } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { comparisonDimensions, comparisonRows } from "./compare";
import { isActive, pct, stepText } from "./format";
import { listPollDelay, type PollState } from "./poll";
import type { Names } from "./sections";
import { RUN_KINDS, RUN_STATES, type Page, type RetrainPolicy, type RewardModel, type Run, type RunsConfig } from "./types";
import { card, empty, formatTime, kindName, progressBar, stateBadge, table, type Cell } from "./widgets";

interface Chrome {
  toasts: Toasts;
  banners: Banners;
}

const PAGE_SIZE = 50;

function filterSelect(id: string, label: MessageKey, values: readonly string[], current: string, name: (v: string) => string, onChange: (v: string) => void): HTMLElement {
  const select = h("select", { id, class: "select" }, h("option", { value: "" }, t("runs.filter.all")), ...values.map((v) => h("option", { value: v, selected: v === current }, name(v))));
  select.addEventListener("change", () => onChange(select.value));
  return h("span", { class: "filter" }, h("label", { for: id }, t(label)), select);
}

export function mountRunsList(root: HTMLElement, config: RunsConfig, api: Api, chrome: Chrome, names: Names): { render: () => void } {
  const query = new URLSearchParams(window.location.search);
  const filters = { kind: query.get("kind") ?? "", state: query.get("state") ?? "" };
  let runs: Run[] = [];
  let count = 0;
  let models: RewardModel[] = [];
  let policies: RetrainPolicy[] = [];
  let loaded = false;
  let updatedAt: Date | null = null;
  let message = "";
  let busy = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll: PollState = { hiddenPolls: 0, failures: 0 };
  const admin = config.user.is_admin;

  const act = async (key: string, confirmText: string, call: () => Promise<string>) => {
    if (busy || !window.confirm(confirmText)) return;
    busy = key;
    render();
    try {
      chrome.toasts.show(await call());
      chrome.banners.clear("action");
    } catch (exc) {
      chrome.banners.show("action", t("runs.failedRequest", { detail: exc instanceof ApiError ? exc.detail : t("banner.network") }), "error");
    }
    busy = "";
    await load();
  };
  const runGapo = () =>
    act("gapo", t("runs.runGapoConfirm"), async () => t("runs.started", { id: (await api.post<Run>("/api/runs/", { kind: "gapo" })).id }));
  const retrain = (p: RetrainPolicy) =>
    act(`retrain-${p.id}`, t("runs.retrainConfirm", { name: p.name }), async () => t("runs.started", { id: (await api.post<Run>(`/api/retrain-policies/${p.id}/retrain/`)).id }));
  const promote = (m: RewardModel) =>
    act(`promote-${m.id}`, t("runs.promoteConfirm", { id: m.id }), async () => t("runs.promotedToast", { id: (await api.post<RewardModel>(`/api/reward-models/${m.id}/promote/`)).id }));

  const setFilter = (name: "kind" | "state", value: string) => {
    filters[name] = value;
    const q = new URLSearchParams();
    if (filters.kind) q.set("kind", filters.kind);
    if (filters.state) q.set("state", filters.state);
    history.replaceState(null, "", `${window.location.pathname}${q.toString() ? `?${q}` : ""}`);
    void load();
  };

  const actionsCard = () => {
    if (!admin) return null;
    const button = (key: string, text: string, onclick: () => void, primary = false) =>
      h("button", { type: "button", class: `btn ${primary ? "btn-primary" : ""}`, "data-action": key, disabled: busy === key, onclick }, text);
    return card(
      "actions",
      t("runs.actions"),
      h("div", { class: "actions-row" }, button("gapo", t("runs.runGapo"), () => void runGapo(), true), h("span", { class: "muted help" }, t("runs.runGapoHelp"))),
      h("h3", {}, t("runs.policies")),
      policies.length
        ? h(
            "ul",
            { class: "policies" },
            ...policies.map((p) =>
              h(
                "li",
                { "data-policy": p.id },
                h("strong", {}, p.name),
                h("span", { class: "muted" }, ` ${t("runs.policyInfo", { campaigns: p.campaign_ids.length, n: p.min_new_judgments })}${p.enabled ? "" : ` · ${t("runs.policyDisabled")}`}`),
                button(`retrain-${p.id}`, t("runs.retrainNow"), () => void retrain(p)),
                p.backoff && p.backoff.failures > 0
                  ? h(
                      "p",
                      { class: "policy-backoff", "data-backoff": p.backoff.until ? "waiting" : "failed" },
                      p.backoff.until
                        ? t("runs.policyBackoff", { n: p.backoff.failures, until: new Date(p.backoff.until).toLocaleString() })
                        : t("runs.policyFailed", { n: p.backoff.failures }),
                      " ",
                      h("code", {}, p.backoff.reason),
                    )
                  : null,
              ),
            ),
          )
        : empty(t("runs.noPolicies")),
    );
  };

  const runsCard = () => {
    const tools = h(
      "div",
      { class: "dash-tools" },
      filterSelect("filter-kind", "runs.filter.kind", RUN_KINDS, filters.kind, kindName, (v) => setFilter("kind", v)),
      filterSelect("filter-state", "runs.filter.state", RUN_STATES, filters.state, (s) => t(`runs.state.${s}` as MessageKey), (v) => setFilter("state", v)),
      h("span", { class: "muted", "data-run-count": count }, t("runs.showing", { shown: runs.length, n: count })),
    );
    if (!runs.length) return card("runs", t("runs.heading"), tools, empty(loaded ? t("runs.empty") : t("run.loading")));
    const rows: Cell[][] = runs.map((r) => {
      const version = r.reward_model_version;
      return [
        h("a", { href: r.page_url || `${config.urls.runs}${r.id}/`, "data-run-link": r.id }, `#${r.id}`),
        kindName(r.kind),
        stateBadge(r.state),
        h("span", { class: "progress-cell" }, progressBar(r, t("runs.progressOf", { id: r.id })), h("span", { class: "muted" }, stepText(r))),
        { text: version ? `${version.promoted ? "★ " : ""}${pct(version.accuracy)}` : "—", num: true },
        formatTime(r.created_at),
        r.created_by ?? "—",
      ];
    });
    return card(
      "runs",
      t("runs.heading"),
      tools,
      table([t("runs.col.run"), t("runs.col.kind"), t("runs.col.state"), t("runs.col.progress"), t("runs.col.accuracy"), t("runs.col.created"), t("runs.col.by")], rows, { cls: "runs-table" }),
    );
  };

  const modelsCard = () => {
    if (!models.length) return card("models", t("runs.models"), empty(t("runs.noModels")));
    const dims = comparisonDimensions(models, names.known);
    const mark = (c: { value: number | null; best: boolean }): Cell => ({ text: `${c.best ? "★ " : ""}${pct(c.value)}`, num: true, cls: c.best ? "best" : "" });
    const rows: Cell[][] = comparisonRows(models, dims).map((r) => [
      h("span", {}, h("a", { href: `${config.urls.runs}${r.model.run}/` }, `v${r.model.id}`), r.model.promoted ? h("span", { class: "badge state-succeeded promoted-mark" }, `✓ ${t("runs.promoted")}`) : null),
      mark(r.mean),
      ...r.cells.map(mark),
      formatTime(r.model.created_at),
      admin && !r.model.promoted
        ? h("button", { type: "button", class: "btn btn-small", "data-action": `promote-${r.model.id}`, disabled: busy === `promote-${r.model.id}`, onclick: () => void promote(r.model) }, t("runs.promote"))
        : r.model.promotion_note ? h("span", { class: "muted note", title: r.model.promotion_note }, r.model.promotion_note) : "",
    ]);
    return card(
      "models",
      t("runs.models"),
      h("p", { class: "muted help" }, t("runs.modelsHelp")),
      table([t("runs.col.version"), t("runs.col.mean"), ...dims.map(names.dim), t("runs.col.created"), ""], rows, { numeric: [1, ...dims.map((_, i) => i + 2)], cls: "models-table" }),
    );
  };

  function render(): void {
    const focusedId = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    const sections = [
      h("div", { class: "page-head" }, h("h1", {}, t("runs.heading")), h("span", { class: "muted", "aria-live": "polite" }, message || (updatedAt ? t("runs.updated", { time: formatTime(updatedAt.toISOString()) }) : ""))),
      actionsCard(),
      runsCard(),
      modelsCard(),
    ];
    root.replaceChildren(...sections.filter((el): el is HTMLElement => el !== null));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  let loadSeq = 0;

  async function load(): Promise<void> {
    clearTimeout(timer);
    // A filter change can overtake a poll in flight: only the newest answer may render.
    const seq = ++loadSeq;
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filters.kind) q.set("kind", filters.kind);
    if (filters.state) q.set("state", filters.state);
    try {
      const [page, modelPage, policyPage] = await Promise.all([
        api.get<Page<Run>>(`/api/runs/?${q}`),
        api.get<Page<RewardModel>>("/api/reward-models/?limit=100"),
        admin ? api.get<Page<RetrainPolicy>>("/api/retrain-policies/?limit=100") : Promise.resolve(null),
      ]);
      if (seq !== loadSeq) return;
      runs = page.results;
      count = page.count;
      models = modelPage.results;
      policies = policyPage?.results ?? [];
      loaded = true;
      updatedAt = new Date();
      message = "";
      poll.failures = 0;
    } catch (exc) {
      if (seq !== loadSeq) return;
      poll.failures += 1;
      message = exc instanceof ApiError ? exc.detail : t("banner.network");
    }
    render();
    poll.hiddenPolls = document.visibilityState === "hidden" ? poll.hiddenPolls + 1 : 0;
    timer = setTimeout(() => void load(), listPollDelay(runs.some((r) => isActive(r.state)), poll));
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && poll.hiddenPolls > 0) {
      poll.hiddenPolls = 0;
      void load();
    }
  });
  render();
  void load();
  return { render };
}
