/**
 * The one polling helper of the studio pages. A page says what one poll does (fetch, then render)
 * and how long to wait after it; the Poller runs the loop. Its pace slows down on its own: each
 * poll made while the tab is hidden doubles the wait (up to a cap), failed requests back off
 * exponentially with jitter, and the tab coming back after hidden polls polls at once. A wait of
 * null stops polling for good (a run that is final, an import with nothing left to process).
 */
import { backoffDelay } from "./backoff";

export const MAX_POLL_MS = 60_000;

export interface PollState {
  /** Consecutive polls made while the tab was hidden. */
  hiddenPolls: number;
  /** Consecutive failed requests. */
  failures: number;
}

/**
 * Milliseconds until the next poll: `baseMs` while the tab is visible and requests succeed,
 * doubled per hidden poll up to `maxMs`, and after failures at least the backoff starting at twice
 * the base, so a forgotten tab or a server in trouble costs little.
 */
export function pollDelay(baseMs: number, s: PollState, maxMs: number = MAX_POLL_MS, random: () => number = Math.random): number {
  let delay = baseMs;
  if (s.hiddenPolls > 0) delay = Math.min(maxMs, baseMs * 2 ** s.hiddenPolls);
  if (s.failures > 0) delay = Math.max(delay, backoffDelay(s.failures - 1, { baseMs: baseMs * 2, maxMs }, random));
  return delay;
}

/** What the Poller needs from the browser; tests pass their own. */
export interface PollEnv {
  isHidden: () => boolean;
  /** Calls `onVisible` whenever the tab becomes visible; returns what stops listening. */
  watchVisibility: (onVisible: () => void) => () => void;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

export const browserPollEnv: PollEnv = {
  isHidden: () => document.visibilityState === "hidden",
  watchVisibility: (onVisible) => {
    const listener = () => {
      if (document.visibilityState === "visible") onVisible();
    };
    document.addEventListener("visibilitychange", listener);
    return () => document.removeEventListener("visibilitychange", listener);
  },
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface PollerOptions {
  /**
   * One poll: fetch, update the page's state, render. Resolves true when the request succeeded.
   * `fresh()` turns false once a newer poll has started or the poller was stopped: an answer
   * that lost that race must not overwrite the page's state.
   */
  tick: (fresh: () => boolean) => Promise<boolean>;
  /** Milliseconds until the next poll after this one, or null to stop polling. */
  delay: (s: PollState) => number | null;
  env?: PollEnv;
}

export class Poller {
  readonly state: PollState = { hiddenPolls: 0, failures: 0 };
  private readonly env: PollEnv;
  private timer: unknown = null;
  private seq = 0;
  private stopped = false;
  private unwatch: (() => void) | null = null;

  constructor(private readonly opts: PollerOptions) {
    this.env = opts.env ?? browserPollEnv;
  }

  /** Starts the loop with a first poll now. */
  start(): Promise<void> {
    this.unwatch ??= this.env.watchVisibility(() => this.onVisible());
    return this.now();
  }

  /** Polls at once: a pending wait is cancelled and an answer still in flight is dropped. */
  async now(): Promise<void> {
    this.cancelTimer();
    if (this.stopped) return;
    const seq = ++this.seq;
    const fresh = () => !this.stopped && seq === this.seq;
    const ok = await this.opts.tick(fresh);
    if (!fresh()) return; // the newer poll schedules the next one
    this.state.failures = ok ? 0 : this.state.failures + 1;
    this.state.hiddenPolls = this.env.isHidden() ? this.state.hiddenPolls + 1 : 0;
    const delay = this.opts.delay(this.state);
    if (delay !== null) this.timer = this.env.setTimer(() => void this.now(), delay);
  }

  /** Polls now if the loop is waiting; not while a poll is in flight, nor once polling stopped. */
  nudge(): void {
    if (this.timer !== null) void this.now();
  }

  /** Stops for good: no more polls, and an answer in flight is dropped. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
    this.unwatch?.();
    this.unwatch = null;
  }

  private onVisible(): void {
    if (this.state.hiddenPolls === 0) return;
    this.state.hiddenPolls = 0;
    this.nudge();
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.env.clearTimer(this.timer);
    this.timer = null;
  }
}
