/**
 * Entry of /review/<campaign_id>/ (reviewers): campaign progress, judgments per dimension as a
 * bar chart, and the annotators table; then the quality dashboards (agreement, generator
 * leaderboard with CI whiskers, gold accuracy per annotator, review queue, agreement over time).
 * A queue row opens the adjudication panel (Enter opens, Esc closes). Polls every 15 s while
 * visible and backs off while hidden or failing (lib/poll.ts). What is drawn comes from view.ts;
 * this module holds the state and wires requests, polling, the panel and rendering.
 */
import "./review.css";
import { ApiError, browserApi, type Api } from "../lib/api";
import { languageSwitcher, readConfig, translateDom } from "../lib/chrome";
import { initLang, onLangChange, t } from "../lib/i18n";
import { Poller } from "../lib/poll";
import type { AnnotatorStats, Dimension, PageConfig, Progress } from "../lib/types";
import { AdjudicationPanel } from "./adjudicationPanel";
import type { AgreementReport, AnnotatorsReport, LeaderboardReport, QueueReport } from "./dashboard";
import type { HistoryReport } from "./history";
import { QUEUE_PAGE } from "./qualityCards";
import { clampOffset } from "./queuePager";
import { initialReviewState, keepLeaderboardDimension, reviewPollDelay, settlePair, turnQueuePage, type ReviewActions, type ReviewState } from "./state";
import { renderReview, reviewNames } from "./view";

interface ReviewConfig extends PageConfig {
  dimensions: Dimension[];
}

// Snapshots are hourly and the history is ~250 kB: fetch it on load and every 10 min, not every poll.
const HISTORY_REFRESH_MS = 10 * 60_000;

/** The page's requests, writing their answers into the state. */
function reviewLoader(api: Api, campaign: number, s: ReviewState) {
  let historyAt = 0;
  const get = () => api.get<QueueReport>(`/api/campaigns/${campaign}/quality/review-queue/?limit=${QUEUE_PAGE}&offset=${s.queueOffset}`);
  const queue = async (): Promise<QueueReport> => {
    let page = await get();
    const clamped = clampOffset(s.queueOffset, page.count, QUEUE_PAGE);
    if (clamped !== s.queueOffset) {
      s.queueOffset = clamped; // adjudications shrank the queue below this page
      page = await get();
    }
    return page;
  };
  /** One poll; true when the progress answered (the quality reports are optional extras). */
  const all = async (): Promise<boolean> => {
    const base = `/api/campaigns/${campaign}`;
    try {
      [s.progress, s.annotators] = await Promise.all([api.get<Progress>(`${base}/progress/`), api.get<AnnotatorStats[]>(`/api/review/campaigns/${campaign}/annotators/`)]);
      // One failing must not blank the progress view.
      const optional = <T,>(p: Promise<T>) => p.catch(() => null);
      const historyDue = Date.now() - historyAt >= HISTORY_REFRESH_MS;
      [s.agreement, s.leaderboard, s.quality, s.queue, s.history] = await Promise.all([
        optional(api.get<AgreementReport>(`${base}/quality/agreement/`)),
        optional(api.get<LeaderboardReport>(`${base}/quality/leaderboard/`)),
        optional(api.get<AnnotatorsReport>(`${base}/quality/annotators/`)),
        optional(queue()),
        historyDue ? optional(api.get<HistoryReport>(`${base}/quality/agreement/history/`)) : Promise.resolve(s.history),
      ]);
      if (historyDue && s.history) historyAt = Date.now();
      s.updatedAt = new Date();
      s.error = "";
      return true;
    } catch (exc) {
      s.error = exc instanceof ApiError ? exc.detail : t("banner.network");
      return false;
    }
  };
  return { queue, all };
}

function boot(root: HTMLElement): void {
  initLang();
  const config = readConfig<ReviewConfig>("studio-config");
  const api = browserApi(config.urls.login);
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(languageSwitcher());
  const s = initialReviewState(config.campaign.name, config.dimensions);
  const loader = reviewLoader(api, config.campaign.id, s);
  /** The queue page again (kept as it was when the request fails). */
  const refreshQueue = async () => {
    s.queue = await loader.queue().catch(() => s.queue);
    render();
  };
  const panel = new AdjudicationPanel({
    api,
    dimensions: config.dimensions.map((d) => d.key),
    dimName: reviewNames(config.dimensions).dim,
    onSaved: (item, adjudications) => {
      settlePair(s, item, adjudications);
      render();
      void refreshQueue(); // the count (and the rest of the queue): the pair has left it
    },
  });
  const actions: ReviewActions = {
    pickLeaderboardDimension: (key) => {
      s.lbDimension = key;
      render();
    },
    showQueuePage: (offset) => {
      turnQueuePage(s, offset);
      void refreshQueue();
    },
    openQueueItem: (item, rowId) => panel.open(item, rowId),
  };
  function render(): void {
    translateDom();
    const focusedId = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement.id : "";
    root.replaceChildren(...renderReview(s, actions));
    // Polling re-renders everything: keep the keyboard user's place (e.g. the dimension selector).
    if (focusedId) document.getElementById(focusedId)?.focus();
  }
  const poller = new Poller({
    tick: async () => {
      const ok = await loader.all();
      keepLeaderboardDimension(s);
      render();
      return ok;
    },
    delay: (p) => reviewPollDelay(p),
  });
  onLangChange(render);
  render();
  void poller.start();
}

const root = document.getElementById("review-root");
if (root) boot(root);
