/**
 * What the labelling page measures about a pair: the time the annotator spent on it (sent with
 * every answer) and how long a submit took until the next pair was playable.
 */
import type { SyncedPlayer } from "./player";

export interface SwapMetric {
  assignment: number;
  /** Submit key press → both new videos readyState >= 3 and painted. */
  ms: number;
}

/** Time on the pair on screen: counts only while the tab is visible, on top of a draft's earlier total. */
export class TimeSpent {
  private shownAt: number | null = null;
  private spentBefore = 0;

  /** A pair is shown whose draft already holds `spentBefore` ms. */
  restart(spentBefore: number): void {
    this.spentBefore = spentBefore;
    this.shownAt = document.visibilityState === "hidden" ? null : performance.now();
  }

  /** The tab was hidden. */
  pause(): void {
    if (this.shownAt !== null) this.spentBefore += performance.now() - this.shownAt;
    this.shownAt = null;
  }

  /** The tab is visible again. */
  resume(): void {
    this.shownAt = performance.now();
  }

  ms(): number {
    return this.spentBefore + (this.shownAt === null ? 0 : performance.now() - this.shownAt);
  }
}

/** Submit → next pair playable, read by the browser tests through window.__studio. */
export class SwapClock {
  readonly swaps: SwapMetric[] = [];
  private submitMark: number | null = null;

  /** The annotator submitted: the clock runs until the next pair plays. */
  start(): void {
    this.submitMark = performance.now();
  }

  /** A pair began playing: both its videos can play and a frame has been painted (unless it is replaced first). */
  record(assignment: number, isShown: () => boolean, player: SyncedPlayer): void {
    const mark = this.submitMark;
    if (mark === null) return;
    this.submitMark = null;
    const check = () => {
      if (!isShown()) return;
      if (!player.bothReady(3)) return void requestAnimationFrame(check);
      requestAnimationFrame(() => this.swaps.push({ assignment, ms: performance.now() - mark }));
    };
    check();
  }
}
