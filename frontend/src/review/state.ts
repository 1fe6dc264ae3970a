/**
 * The review page's state and the changes made to it outside of rendering: what one load brings,
 * a pair adjudicated on this page, a new queue page. Pure (no DOM, no requests).
 */
import { pollDelay, type PollState } from "../lib/poll";
import type { AnnotatorStats, Dimension, Progress } from "../lib/types";
import { queueRows, type QueueAdjudication, type QueueItem, type Settled } from "./adjudication";
import { leaderboardIsEmpty, pickDimension, type AgreementReport, type AnnotatorsReport, type LeaderboardReport, type QueueReport } from "./dashboard";
import type { HistoryReport } from "./history";

export const REVIEW_POLL_MS = 15_000;
export const MAX_REVIEW_POLL_MS = 5 * 60_000;

/** Every 15 s while the tab is visible; slower while hidden or failing, up to 5 min. */
export function reviewPollDelay(s: PollState, random: () => number = Math.random): number {
  return pollDelay(REVIEW_POLL_MS, s, MAX_REVIEW_POLL_MS, random);
}

export interface ReviewState {
  campaignName: string;
  dimensions: Dimension[];
  progress: Progress | null;
  annotators: AnnotatorStats[];
  updatedAt: Date | null;
  /** The last load's error, shown in place of "updated at". */
  error: string;
  agreement: AgreementReport | null;
  leaderboard: LeaderboardReport | null;
  quality: AnnotatorsReport | null;
  queue: QueueReport | null;
  queueOffset: number;
  /** The leaderboard's dimension: the reviewer's pick, else the first with rows (kept once chosen). */
  lbDimension: string | null;
  history: HistoryReport | null;
  /** Pairs adjudicated on this page: their rows stay, marked, after the server drops them. */
  settled: Settled[];
}

export interface ReviewActions {
  pickLeaderboardDimension: (key: string) => void;
  showQueuePage: (offset: number) => void;
  openQueueItem: (item: QueueItem, rowId: string) => void;
}

export function initialReviewState(campaignName: string, dimensions: Dimension[]): ReviewState {
  return {
    campaignName, dimensions, progress: null, annotators: [], updatedAt: null, error: "",
    agreement: null, leaderboard: null, quality: null, queue: null, queueOffset: 0, lbDimension: null, history: null, settled: [],
  };
}

/** Keeps the leaderboard's dimension once one is shown, so a poll never switches it under the reader. */
export function keepLeaderboardDimension(s: ReviewState): void {
  if (!leaderboardIsEmpty(s.leaderboard)) s.lbDimension = pickDimension(s.leaderboard, s.lbDimension);
}

/** A pair adjudicated here keeps its row, marked, where it was shown (once, however often saved). */
export function settlePair(s: ReviewState, item: QueueItem, adjudications: QueueAdjudication[]): void {
  const shown = queueRows(s.queue?.results ?? [], s.settled).findIndex((r) => r.item.pair === item.pair);
  const earlier = s.settled.findIndex((x) => x.item.pair === item.pair);
  if (earlier >= 0) s.settled.splice(earlier, 1);
  s.settled.push({ item: { ...item, adjudications }, adjudications, index: Math.max(0, shown) });
}

/** Another queue page: rows settled on the previous page belong to it. */
export function turnQueuePage(s: ReviewState, offset: number): void {
  s.queueOffset = offset;
  s.settled.length = 0;
}
