/**
 * Keeps the page's leases alive: a beat every TTL/3 while the tab is visible, backing off while it
 * is hidden, and none at all after a long absence so abandoned pairs go back to the pool.
 */
import { ApiError, NetworkError } from "./api";

export const HIDDEN_GIVE_UP_MS = 30 * 60 * 1000;

/** Milliseconds until the next beat. */
export function heartbeatDelay(opts: { ttlSeconds: number; hidden: boolean; hiddenBeats: number; failures: number }): number {
  const ttlMs = Math.max(30, opts.ttlSeconds) * 1000;
  const base = ttlMs / 3;
  if (opts.failures > 0) return Math.max(2000, Math.min(base, 2000 * 2 ** (opts.failures - 1))); // catch up after a blip
  if (!opts.hidden) return base;
  // Hidden: stretch the interval (2×, 4× … TTL/3) but stay under the TTL so the lease survives.
  return Math.min(base * 2 ** Math.min(opts.hiddenBeats, 4), ttlMs * 0.75);
}

export interface HeartbeatDeps {
  beat: (assignment: number) => Promise<unknown>;
  /** The server says this lease is over (409 lease_expired / lease_finished, or 404). */
  onLost: (assignment: number, code: string) => void;
  ttlSeconds: () => number;
  isHidden: () => boolean;
  now?: () => number;
}

export class Heartbeat {
  private ids = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private hiddenBeats = 0;
  private failures = 0;
  private hiddenSince: number | null = null;
  private running = false;

  constructor(private readonly deps: HeartbeatDeps) {}

  track(ids: number[]): void {
    this.ids = new Set(ids);
    if (!this.running) return;
    if (this.ids.size && this.timer === null) this.schedule();
  }

  start(): void {
    this.running = true;
    document.addEventListener("visibilitychange", this.onVisibility);
    this.schedule();
  }

  stop(): void {
    this.running = false;
    document.removeEventListener("visibilitychange", this.onVisibility);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Beat every tracked lease now (the tab came back, or the network did). */
  async beatNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let failed = false;
    for (const id of [...this.ids]) {
      try {
        await this.deps.beat(id);
      } catch (exc) {
        if (exc instanceof ApiError && (exc.status === 409 || exc.status === 404)) {
          this.ids.delete(id);
          this.deps.onLost(id, exc.code);
        } else if (exc instanceof NetworkError || (exc instanceof ApiError && exc.status >= 500)) {
          failed = true;
        } else {
          throw exc;
        }
      }
    }
    this.failures = failed ? this.failures + 1 : 0;
    if (this.deps.isHidden()) this.hiddenBeats++;
    this.schedule();
  }

  private schedule(): void {
    if (!this.running || this.ids.size === 0) return;
    if (this.timer) clearTimeout(this.timer);
    const now = (this.deps.now ?? Date.now)();
    if (this.hiddenSince !== null && now - this.hiddenSince > HIDDEN_GIVE_UP_MS) {
      this.timer = null; // long gone: let the leases lapse; coming back beats at once
      return;
    }
    const delay = heartbeatDelay({
      ttlSeconds: this.deps.ttlSeconds(),
      hidden: this.deps.isHidden(),
      hiddenBeats: this.hiddenBeats,
      failures: this.failures,
    });
    this.timer = setTimeout(() => void this.beatNow(), delay);
  }

  private onVisibility = (): void => {
    if (this.deps.isHidden()) {
      this.hiddenSince = (this.deps.now ?? Date.now)();
      this.hiddenBeats = 0;
      this.schedule();
    } else {
      this.hiddenSince = null;
      this.hiddenBeats = 0;
      void this.beatNow();
    }
  };
}
