/**
 * The page's side of the persistent submission queue: answers, skips and flags are queued at once
 * (the page moves on without waiting) and uploaded in the background until the server settles
 * them. Also keeps the "submitted today" counter that settled submits advance.
 */
import type { Api } from "../lib/api";
import { t } from "../lib/i18n";
import { SubmissionQueue, jobPath, type JobKind, type Outcome } from "../lib/queue";
import type { KV } from "../lib/storage";
import type { Progress } from "../lib/types";
import { explainLostLease } from "./leases";
import type { LabelView } from "./view";

export interface SubmissionsHost {
  storage: KV;
  api: Api;
  campaignId: number;
  view: LabelView;
  /** A job was settled, which frees a lease slot. */
  onSettled: () => void;
}

export class Submissions {
  private readonly queue: SubmissionQueue;
  private today = 0;

  constructor(private readonly host: SubmissionsHost) {
    const { api } = host;
    this.queue = new SubmissionQueue({
      storage: host.storage,
      send: (job) => api.raw("POST", jobPath(job), { body: job.body }),
      onChange: () => this.renderQueue(),
      onOutcome: (o) => this.onOutcome(o),
      // The session is gone: any api call now redirects to the login form (jobs stay queued for after it).
      onUnauthenticated: () => api.request("GET", "/api/me/").catch(() => undefined),
    });
  }

  /** Send what an earlier page left queued, and load the counter. */
  start(): void {
    void this.queue.flush();
    void this.loadProgress();
  }

  /** Assignments with a job still queued: not to be leased again. */
  pendingAssignments(): number[] {
    return this.queue.pendingAssignments();
  }

  /** Persist a job; flush() sends it. */
  enqueue(kind: JobKind, assignment: number, body: Record<string, unknown>): void {
    this.queue.enqueue(kind, assignment, this.host.campaignId, body);
  }

  flush(): void {
    void this.queue.flush();
  }

  /** Back online: retry without waiting out the backoff. */
  retryNow(): void {
    this.queue.retryNow();
  }

  renderQueue(): void {
    this.host.view.renderQueue(this.queue.pending().length, navigator.onLine);
  }

  renderToday(): void {
    this.host.view.renderToday(this.today);
  }

  private onOutcome(o: Outcome): void {
    const { view } = this.host;
    const id = o.job.assignment;
    if (o.status === "done") {
      if (o.job.kind === "submit" && !(o.data as { replayed?: boolean })?.replayed) this.today++;
      view.renderToday(this.today);
    } else if (o.status === "expired" || o.status === "finished") {
      void explainLostLease(this.host.api, view.banners, id, o.code ?? "");
    } else {
      view.banners.show(`rejected-${id}`, t("banner.rejected", { id, detail: o.detail ?? `HTTP ${o.httpStatus}` }), "error");
    }
    this.host.onSettled();
  }

  private async loadProgress(): Promise<void> {
    try {
      const progress = await this.host.api.get<Progress>(`/api/campaigns/${this.host.campaignId}/progress/`);
      this.today = progress.mine.submitted_last_24h;
      this.renderToday();
    } catch {
      /* the counter is a nicety; the page works without it */
    }
  }
}
