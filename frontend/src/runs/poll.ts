/**
 * When to fetch again. The run page polls every 2 s while its run is queued or running and stops
 * for good once it is final; the list polls while anything is active, slower when idle. A hidden
 * tab and failed requests back off exponentially, so a forgotten tab costs the server little.
 */
import { backoffDelay } from "../lib/backoff";
import { isFinal } from "./format";

export const RUN_POLL_MS = 2_000;
export const LIST_ACTIVE_POLL_MS = 5_000;
export const LIST_IDLE_POLL_MS = 30_000;
export const MAX_POLL_MS = 60_000;

export interface PollState {
  /** Consecutive polls made while the tab was hidden. */
  hiddenPolls: number;
  /** Consecutive failed requests. */
  failures: number;
}

function slowed(base: number, s: PollState, random: () => number): number {
  let delay = base;
  if (s.hiddenPolls > 0) delay = Math.min(MAX_POLL_MS, base * 2 ** s.hiddenPolls);
  if (s.failures > 0) delay = Math.max(delay, backoffDelay(s.failures - 1, { baseMs: base * 2, maxMs: MAX_POLL_MS }, random));
  return delay;
}

/** Milliseconds until the run page's next poll, or null: the run is final, stop polling. */
export function runPollDelay(state: string | null, s: PollState, random: () => number = Math.random): number | null {
  if (state !== null && isFinal(state)) return null;
  return slowed(RUN_POLL_MS, s, random);
}

/** Milliseconds until the list's next poll: fast while a run is queued or running. */
export function listPollDelay(anyActive: boolean, s: PollState, random: () => number = Math.random): number {
  return slowed(anyActive ? LIST_ACTIVE_POLL_MS : LIST_IDLE_POLL_MS, s, random);
}
