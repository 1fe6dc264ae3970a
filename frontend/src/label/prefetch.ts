/**
 * The prefetched pair: the lease after the current one, leased and preloaded in the background
 * so that submit can swap it in without waiting. Failures back off and retry on a timer.
 */
import { ApiError } from "../lib/api";
import { backoffDelay } from "../lib/backoff";
import type { NextResponse } from "../lib/types";
import { PreparedPair } from "./pairs";

export interface PrefetchHost {
  /** Ask the server for a lease, excluding these assignments. */
  requestNext: (exclude: number[]) => Promise<NextResponse>;
  /** The assignment on screen, or null while none is (nothing is prefetched then). */
  holding: () => number | null;
  /** Assignments still in the submission queue: the server would hand them out again. */
  pendingAssignments: () => number[];
  /** Hidden element the prepared videos load in. */
  bin: HTMLElement;
  /** Gets data-next-ready="true" once the prefetched pair can play. */
  root: HTMLElement;
  /** A new lease was taken: the heartbeat must keep it alive. */
  onLeased: () => void;
}

export class Prefetcher {
  private next: PreparedPair | null = null;
  private promise: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;

  constructor(private readonly host: PrefetchHost) {}

  /** The prefetched pair, if any (still owned by the prefetcher until taken). */
  get pair(): PreparedPair | null {
    return this.next;
  }

  /** The lease request in flight, if any. */
  get inFlight(): Promise<void> | null {
    return this.promise;
  }

  /** Lease and preload the pair after the current one, unless one is already held or on its way. */
  prefetch(): void {
    const holding = this.host.holding();
    if (holding === null || this.next || this.promise || this.timer) return;
    this.promise = (async () => {
      try {
        const res = await this.host.requestNext([holding, ...this.host.pendingAssignments()]);
        this.failures = 0;
        if (res.assignment === null) {
          // Nothing to prefetch: submit will ask again and show the empty state if it still holds.
          if (res.reason === "all_taken") this.retry((res.retry_after_s ?? 30) * 1000);
          return;
        }
        if (res.assignment === this.host.holding()) return;
        const pair = new PreparedPair(res, this.host.bin);
        this.next = pair;
        this.host.onLeased();
        void pair.ready.then(() => {
          if (this.next === pair) this.host.root.dataset.nextReady = "true";
        });
      } catch (exc) {
        const tooMany = exc instanceof ApiError && exc.code === "too_many_leases";
        this.failures++;
        this.retry(tooMany ? 15_000 : backoffDelay(this.failures, { baseMs: 1000, maxMs: 30_000 }));
      } finally {
        this.promise = null;
      }
    })();
  }

  /** Hand the prefetched pair over (there must be one). */
  take(): PreparedPair {
    const pair = this.next as PreparedPair;
    this.next = null;
    this.host.root.dataset.nextReady = "false";
    return pair;
  }

  private retry(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.prefetch();
    }, ms);
  }
}
