/** Exponential backoff with jitter, shared by the fetch wrapper, the submission queue and polling. */

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Share of the delay randomised away (0..1); spreads retries of many tabs after an outage. */
  jitter?: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs = 1000, maxMs = 30_000, jitter = 0.2 } = opts;
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(raw * (1 - jitter * random()));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
