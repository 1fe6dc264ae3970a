/**
 * Persistent submission queue: submit/skip/flag requests wait in localStorage until the server
 * answers with a status that settles them, so a dropped connection, a crash or a reload never
 * loses an answer.
 *
 * The client_key is generated ONCE, when the job is created, and written to storage before the
 * first attempt; every retry (in this page or after a reload) resends the same key, and the server
 * replays the stored result instead of writing twice.
 */
import { NetworkError, isRetryableStatus, isUnauthenticated, type RawResponse } from "./api";
import { backoffDelay } from "./backoff";
import { randomKey, readJson, type KV } from "./storage";

export type JobKind = "submit" | "skip" | "flag";

export interface Job {
  /** Equal to body.client_key. */
  id: string;
  kind: JobKind;
  assignment: number;
  campaign: number;
  body: Record<string, unknown> & { client_key: string };
  attempts: number;
  nextAt: number;
  createdAt: number;
  lastError?: string;
}

export type OutcomeStatus =
  | "done" // 2xx: stored (201) or replayed (200)
  | "expired" // 409 lease_expired: the answers were NOT stored
  | "finished" // 409 lease_finished: the assignment was already finished by another request
  | "rejected"; // any other 4xx: the request itself is wrong; retrying cannot help

export interface Outcome {
  job: Job;
  status: OutcomeStatus;
  httpStatus: number;
  code?: string;
  detail?: string;
  data?: unknown;
}

export interface QueueDeps {
  storage: KV;
  send: (job: Job) => Promise<RawResponse>;
  now?: () => number;
  random?: () => number;
  newKey?: () => string;
  onChange?: () => void;
  onOutcome?: (outcome: Outcome) => void;
  /** The session is gone: jobs stay queued and go out after the next sign-in. */
  onUnauthenticated?: () => void;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

export const QUEUE_KEY = "ars.queue.v1";
const BACKOFF = { baseMs: 1000, maxMs: 30_000, jitter: 0.2 };

export function jobPath(job: Pick<Job, "kind" | "assignment">): string {
  return `/api/assignments/${job.assignment}/${job.kind}/`;
}

export function classify(res: RawResponse): OutcomeStatus | "retry" | "auth" {
  if (res.status >= 200 && res.status < 300) return "done";
  const code = ((res.data ?? {}) as { code?: string }).code ?? "";
  if (isUnauthenticated(res.status, code)) return "auth";
  if (isRetryableStatus(res.status)) return "retry";
  if (code === "lease_expired") return "expired";
  if (code === "lease_finished") return "finished";
  return "rejected";
}

export class SubmissionQueue {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly newKey: () => string;
  private flushing: Promise<void> | null = null;
  private timer: unknown = null;
  private paused = false;

  constructor(
    private readonly deps: QueueDeps,
    private readonly key = QUEUE_KEY,
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.newKey = deps.newKey ?? (() => randomKey());
  }

  /** Jobs in order; always read from storage so another tab's or an earlier page's jobs count. */
  pending(): Job[] {
    const jobs = readJson<Job[]>(this.deps.storage, this.key, []);
    return Array.isArray(jobs) ? jobs : [];
  }

  pendingAssignments(): number[] {
    return this.pending().map((j) => j.assignment);
  }

  has(assignment: number): boolean {
    return this.pending().some((j) => j.assignment === assignment);
  }

  /** Persist a new job (its client_key minted here, once) and return it; call flush() to send. */
  enqueue(kind: JobKind, assignment: number, campaign: number, body: Record<string, unknown>): Job {
    const existing = this.pending().find((j) => j.assignment === assignment);
    if (existing) return existing; // one finishing request per assignment: a double Enter must not mint a second key
    const clientKey = this.newKey();
    const job: Job = {
      id: clientKey,
      kind,
      assignment,
      campaign,
      body: { ...body, client_key: clientKey },
      attempts: 0,
      nextAt: this.now(),
      createdAt: this.now(),
    };
    this.write([...this.pending(), job]);
    return job;
  }

  /** Make every waiting job due now (the browser came back online, or the user asked). */
  retryNow(): void {
    const now = this.now();
    this.write(this.pending().map((j) => ({ ...j, nextAt: Math.min(j.nextAt, now) })));
    this.paused = false;
    void this.flush();
  }

  /** Send due jobs one at a time, oldest first. Concurrent calls share one run. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.run().finally(() => {
        this.flushing = null;
        this.scheduleNext();
      });
    }
    return this.flushing;
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.paused) return;
      const job = this.pending().find((j) => j.nextAt <= this.now());
      if (!job) return;
      let res: RawResponse | null = null;
      let error = "";
      try {
        res = await this.deps.send(job);
      } catch (exc) {
        if (!(exc instanceof NetworkError)) throw exc;
        error = "network";
      }
      const verdict = res ? classify(res) : "retry";
      if (verdict === "auth") {
        this.paused = true;
        this.deps.onUnauthenticated?.();
        return;
      }
      if (verdict === "retry") {
        this.update(job.id, (j) => ({
          ...j,
          attempts: j.attempts + 1,
          nextAt: this.now() + backoffDelay(j.attempts, BACKOFF, this.random),
          lastError: error || `HTTP ${res?.status}`,
        }));
        continue;
      }
      this.write(this.pending().filter((j) => j.id !== job.id));
      const body = ((res?.data ?? {}) as { code?: string; detail?: string }) || {};
      this.deps.onOutcome?.({
        job,
        status: verdict,
        httpStatus: res?.status ?? 0,
        code: body.code,
        detail: body.detail,
        data: res?.data,
      });
    }
  }

  private scheduleNext(): void {
    const schedule = this.deps.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    const cancel = this.deps.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    if (this.timer !== null) cancel(this.timer);
    this.timer = null;
    const jobs = this.pending();
    if (this.paused || jobs.length === 0) return;
    const wait = Math.max(0, Math.min(...jobs.map((j) => j.nextAt)) - this.now());
    this.timer = schedule(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  private update(id: string, fn: (job: Job) => Job): void {
    this.write(this.pending().map((j) => (j.id === id ? fn(j) : j)));
  }

  private write(jobs: Job[]): void {
    if (jobs.length) this.deps.storage.setItem(this.key, JSON.stringify(jobs));
    else this.deps.storage.removeItem(this.key);
    this.deps.onChange?.();
  }
}
