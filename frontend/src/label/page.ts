/**
 * The labelling page controller: leases (current + one prefetched), the answer sheet with
 * autosave, the persistent submission queue, heartbeats and the keyboard.
 *
 * Flow: lease (resuming an open one after a reload) → show → prefetch and preload the next pair
 * → answer → submit: the answers go into the persistent queue and the prefetched pair is swapped
 * in at once; the queue uploads in the background and retries until the server settles it.
 */
import { ApiError, NetworkError, type Api } from "../lib/api";
import { DraftStore } from "../lib/autosave";
import { backoffDelay } from "../lib/backoff";
import { isTyping } from "../lib/dom";
import { Heartbeat } from "../lib/heartbeat";
import { onLangChange, t } from "../lib/i18n";
import { resolveKey, type Action } from "../lib/keymap";
import { SubmissionQueue, jobPath, type Outcome } from "../lib/queue";
import type { KV } from "../lib/storage";
import type { EmptyNext, FlagReason, NextResponse, PageConfig, Progress } from "../lib/types";
import { AnswerPanel } from "./answers";
import { Dialogs } from "./dialogs";
import { PreparedPair } from "./pairs";
import { SyncedPlayer } from "./player";
import { AnswerSheet } from "./sheet";
import { LabelView } from "./view";

export interface SwapMetric {
  assignment: number;
  /** Submit key press → both new videos readyState >= 3 and painted. */
  ms: number;
}

export class LabelPage {
  readonly player = new SyncedPlayer();
  readonly swaps: SwapMetric[] = [];
  private readonly queue: SubmissionQueue;
  private readonly drafts: DraftStore;
  private readonly heartbeat: Heartbeat;
  private readonly panel: AnswerPanel;
  private readonly dialogs: Dialogs;
  private readonly view: LabelView;

  private current: PreparedPair | null = null;
  private sheet: AnswerSheet | null = null;
  private next: PreparedPair | null = null;
  private prefetchPromise: Promise<void> | null = null;
  private prefetchTimer: ReturnType<typeof setTimeout> | null = null;
  private prefetchFailures = 0;
  private acquiring = false;
  private shownAt: number | null = null;
  private spentBefore = 0;
  private submitMark: number | null = null;
  private today = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly config: PageConfig,
    private readonly api: Api,
    storage: KV,
  ) {
    this.drafts = new DraftStore(storage);
    this.queue = new SubmissionQueue({
      storage,
      send: (job) => this.api.raw("POST", jobPath(job), { body: job.body }),
      onChange: () => this.renderQueue(),
      onOutcome: (o) => this.onOutcome(o),
      // The session is gone: any api call now redirects to the login form (jobs stay queued for after it).
      onUnauthenticated: () => this.api.request("GET", "/api/me/").catch(() => undefined),
    });
    this.heartbeat = new Heartbeat({
      beat: (id) => this.api.post(`/api/assignments/${id}/heartbeat/`, undefined, { retries: 1 }),
      onLost: (id, code) => this.onLeaseLost(id, code),
      ttlSeconds: () => this.current?.lease.lease_ttl_seconds ?? 600,
      isHidden: () => document.visibilityState === "hidden",
    });
    this.panel = new AnswerPanel({ onChange: () => this.saveDraft(), onGuide: (key) => this.dialogs.openGuide(key) });
    this.dialogs = new Dialogs({
      instructions: config.campaign.instructions,
      dimensions: () => this.current?.lease.dimensions ?? [],
      focusedDimension: () => this.sheet?.items[this.sheet.draft.focus]?.dim.key ?? null,
      onSkip: () => this.doSkip(),
      onFlag: (reason, note) => this.doFlag(reason, note),
      onClosed: () => this.current && this.panel.focusCurrent(),
    });
    this.view = new LabelView(root, {
      player: this.player.el,
      panel: this.panel.el,
      overlays: this.dialogs.elements,
      onSkip: () => this.dispatch({ type: "skip" }),
      onFlag: () => this.dispatch({ type: "flag" }),
      onSubmit: () => this.submit(),
      onGuide: () => this.dispatch({ type: "guidelines" }),
      onHelp: () => this.dispatch({ type: "help" }),
    });
    this.relabel();
  }

  async start(): Promise<void> {
    this.drafts.prune(undefined);
    document.addEventListener("keydown", (e) => this.onKeyDown(e));
    document.addEventListener("keyup", (e) => {
      if (e.key === " " && !isTyping(e.target) && (e.target as HTMLElement)?.getAttribute?.("role") === "radio") e.preventDefault();
    });
    document.addEventListener("visibilitychange", () => this.onVisibility());
    window.addEventListener("pagehide", () => this.saveDraft());
    window.addEventListener("online", () => {
      this.view.banners.clear("network");
      this.queue.retryNow();
      void this.heartbeat.beatNow();
      this.prefetch();
      this.renderQueue();
    });
    window.addEventListener("offline", () => this.renderQueue());
    onLangChange(() => this.relabel());
    this.heartbeat.start();
    void this.queue.flush();
    void this.loadProgress();
    await this.acquireCurrent();
  }

  // ---- leases -------------------------------------------------------------------------------

  private requestNext(exclude: number[]): Promise<NextResponse> {
    return this.api.post<NextResponse>(`/api/campaigns/${this.config.campaign.id}/next/`, { exclude }, { retries: 2 });
  }

  /** Lease the pair to show now. Without a prefetched pair this is the only wait the annotator sees. */
  private async acquireCurrent(): Promise<void> {
    if (this.acquiring) return;
    this.acquiring = true;
    this.view.showLoading();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await this.requestNext(this.queue.pendingAssignments());
          this.view.banners.clear("network");
          this.view.banners.clear("tooMany");
          if (res.assignment === null) return this.showEmpty(res);
          const pair = this.next?.assignment === res.assignment ? this.takeNext() : new PreparedPair(res, this.view.bin);
          this.show(pair);
          this.prefetch();
          return;
        } catch (exc) {
          if (exc instanceof ApiError && exc.code === "too_many_leases") {
            this.view.banners.show("tooMany", t("banner.tooMany"), "info");
            await this.wait(10_000);
          } else if (exc instanceof NetworkError || (exc instanceof ApiError && exc.status >= 500)) {
            this.view.banners.show("network", t("banner.network"), "warn");
            await this.wait(backoffDelay(attempt, { baseMs: 1000, maxMs: 15_000 }));
          } else if (exc instanceof ApiError) {
            this.view.banners.show("fatal", exc.detail, "error");
            return;
          } else {
            throw exc;
          }
        }
      }
    } finally {
      this.acquiring = false;
    }
  }

  /** Lease and preload the pair after the current one, so submit can swap without waiting. */
  private prefetch(): void {
    if (!this.current || this.next || this.prefetchPromise || this.prefetchTimer) return;
    const holding = this.current.assignment;
    this.prefetchPromise = (async () => {
      try {
        const res = await this.requestNext([holding, ...this.queue.pendingAssignments()]);
        this.prefetchFailures = 0;
        if (res.assignment === null) {
          // Nothing to prefetch: submit will ask again and show the empty state if it still holds.
          if (res.reason === "all_taken") this.retryPrefetch((res.retry_after_s ?? 30) * 1000);
          return;
        }
        if (res.assignment === this.current?.assignment) return;
        const pair = new PreparedPair(res, this.view.bin);
        this.next = pair;
        this.trackLeases();
        void pair.ready.then(() => {
          if (this.next === pair) this.root.dataset.nextReady = "true";
        });
      } catch (exc) {
        const tooMany = exc instanceof ApiError && exc.code === "too_many_leases";
        this.prefetchFailures++;
        this.retryPrefetch(tooMany ? 15_000 : backoffDelay(this.prefetchFailures, { baseMs: 1000, maxMs: 30_000 }));
      } finally {
        this.prefetchPromise = null;
      }
    })();
  }

  private retryPrefetch(ms: number): void {
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    this.prefetchTimer = setTimeout(() => {
      this.prefetchTimer = null;
      this.prefetch();
    }, ms);
  }

  private takeNext(): PreparedPair {
    const pair = this.next as PreparedPair;
    this.next = null;
    this.root.dataset.nextReady = "false";
    return pair;
  }

  private trackLeases(): void {
    this.heartbeat.track([this.current, this.next].filter((p): p is PreparedPair => !!p).map((p) => p.assignment));
  }

  private onLeaseLost(id: number, code: string): void {
    if (this.next?.assignment === id) {
      this.takeNext().dispose();
      this.prefetch();
      return;
    }
    if (this.current?.assignment !== id) return;
    void this.explainLostLease(id, code);
    this.drafts.clear(id);
    void this.advance();
  }

  /**
   * Tell the annotator why a pair is gone. `lease_finished` also covers a lease the reaper already
   * marked expired, whose answers were NOT stored: ask the server which it was.
   */
  private async explainLostLease(id: number, code: string): Promise<void> {
    let expired = code !== "lease_finished";
    if (!expired) {
      try {
        const detail = await this.api.get<{ state: string }>(`/api/assignments/${id}/`);
        expired = detail.state === "expired";
      } catch {
        expired = false;
      }
    }
    this.view.banners.show(`lost-${id}`, t(expired ? "banner.expired" : "banner.finished", { id }), expired ? "warn" : "info");
  }

  // ---- showing a pair -----------------------------------------------------------------------

  private show(pair: PreparedPair): void {
    this.dropCurrent();
    this.current = pair;
    const draft = this.drafts.load(pair.assignment);
    this.sheet = new AnswerSheet(pair.lease, draft);
    this.spentBefore = draft.spentMs;
    this.shownAt = document.visibilityState === "hidden" ? null : performance.now();
    this.root.dataset.assignment = String(pair.assignment);
    this.root.dataset.left = pair.lease.left;
    this.view.renderPrompt(pair.lease);
    this.player.mount(pair.left, pair.right, pair.info());
    this.panel.setSheet(this.sheet);
    this.view.showWorkspace();
    this.view.renderActions(this.sheet);
    this.trackLeases();
    this.panel.focusCurrent();
    const begin = () => {
      if (this.current !== pair) return;
      this.player.play();
      this.recordSwap(pair);
    };
    if (pair.isReady) begin();
    else void pair.ready.then(begin);
  }

  private dropCurrent(): void {
    const old = this.current;
    if (!old) return;
    this.player.unmount();
    old.dispose();
    this.current = null;
    this.sheet = null;
  }

  /** Submit → next pair playable: both new videos can play and a frame has been painted. */
  private recordSwap(pair: PreparedPair): void {
    const mark = this.submitMark;
    if (mark === null) return;
    this.submitMark = null;
    const check = () => {
      if (this.current !== pair) return;
      if (!this.player.bothReady(3)) return void requestAnimationFrame(check);
      requestAnimationFrame(() => this.swaps.push({ assignment: pair.assignment, ms: performance.now() - mark }));
    };
    check();
  }

  private async advance(): Promise<void> {
    if (this.next) {
      this.show(this.takeNext());
      this.prefetch();
      return;
    }
    this.dropCurrent();
    this.view.showLoading();
    if (this.prefetchPromise) await this.prefetchPromise;
    if (this.next) {
      this.show(this.takeNext());
      this.prefetch();
      return;
    }
    await this.acquireCurrent();
  }

  // ---- answering ----------------------------------------------------------------------------

  private timeSpent(): number {
    return this.spentBefore + (this.shownAt === null ? 0 : performance.now() - this.shownAt);
  }

  private saveDraft(): void {
    if (!this.sheet) return;
    this.sheet.draft.spentMs = Math.round(this.timeSpent());
    this.drafts.save(this.sheet.draft);
    this.view.renderActions(this.sheet);
  }

  private submit(): void {
    const { current, sheet } = this;
    if (!current || !sheet) return;
    if (!sheet.isComplete()) {
      const left = sheet.items.length - sheet.answered();
      this.view.toasts.show(t("toast.incomplete", { n: left }), "warn");
      this.panel.setFocus(sheet.firstMissing(sheet.draft.focus));
      return;
    }
    this.submitMark = performance.now();
    this.finish("submit", sheet.submitBody(this.timeSpent()));
  }

  private finish(kind: "submit" | "skip" | "flag", body: Record<string, unknown>): void {
    const current = this.current;
    if (!current) return;
    this.queue.enqueue(kind, current.assignment, this.config.campaign.id, body);
    this.drafts.clear(current.assignment);
    void this.advance();
    void this.queue.flush();
    if (!navigator.onLine) this.view.toasts.show(t("toast.queued"), "info", 4000);
    else if (kind === "skip") this.view.toasts.show(t("toast.skipped"));
    else if (kind === "flag") this.view.toasts.show(t("toast.flagged"));
  }

  private doSkip(): void {
    this.dialogs.closeAll();
    this.finish("skip", { note: "", time_spent_ms: Math.round(this.timeSpent()) });
  }

  private doFlag(reason: FlagReason, note: string): void {
    this.dialogs.closeAll();
    this.finish("flag", { reason, note: note.slice(0, 500) });
  }

  private onOutcome(o: Outcome): void {
    const id = o.job.assignment;
    if (o.status === "done") {
      if (o.job.kind === "submit" && !(o.data as { replayed?: boolean })?.replayed) this.today++;
      this.view.renderToday(this.today);
    } else if (o.status === "expired" || o.status === "finished") {
      void this.explainLostLease(id, o.code ?? "");
    } else {
      this.view.banners.show(`rejected-${id}`, t("banner.rejected", { id, detail: o.detail ?? `HTTP ${o.httpStatus}` }), "error");
    }
    this.prefetch(); // a settled job frees a lease slot
  }

  // ---- keyboard -----------------------------------------------------------------------------

  private onKeyDown(e: KeyboardEvent): void {
    if (e.isComposing) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape") this.dialogs.closeAll();
      return;
    }
    const target = e.target as HTMLElement;
    const isControl = (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) && target.getAttribute("role") !== "radio";
    if (isControl && (e.key === "Enter" || e.key === " ")) return; // a focused button or link does its own thing
    if (target instanceof HTMLInputElement && target.type === "range" && e.key.startsWith("Arrow")) return;
    const action = resolveKey(e, this.dialogs.mode(!!this.current));
    if (!action) return;
    e.preventDefault();
    this.dispatch(action);
  }

  dispatch(action: Action): void {
    const p = this.player;
    switch (action.type) {
      case "choose":
        return this.panel.choose(action.value);
      case "clear":
        return this.panel.clear();
      case "move":
        return this.panel.move(action.delta);
      case "adjust":
        return this.panel.adjust(action.delta);
      case "playPause":
        return p.togglePlay();
      case "step":
        return p.step(action.delta);
      case "restart":
        return p.restart();
      case "speed":
        return p.speed(action.delta);
      case "loop":
        return p.toggleLoop();
      case "mute":
        return p.toggleMute();
      case "flicker":
        return p.toggleFlicker();
      case "submit":
        return this.submit();
      case "skip":
        return this.current ? this.dialogs.openSkip() : undefined;
      case "flag":
        return this.current ? this.dialogs.openFlag() : undefined;
      case "flagReason":
        return this.doFlag(action.reason, this.dialogs.flagNote());
      case "confirm":
        return this.doSkip();
      case "guidelines":
        return this.dialogs.toggleGuide();
      case "help":
        return this.dialogs.openHelp();
      case "close":
        return this.dialogs.closeAll();
    }
  }

  private onVisibility(): void {
    if (document.visibilityState === "hidden") {
      if (this.shownAt !== null) this.spentBefore += performance.now() - this.shownAt;
      this.shownAt = null;
      this.saveDraft();
    } else if (this.current) {
      this.shownAt = performance.now();
    }
  }

  // ---- rendering ----------------------------------------------------------------------------

  private relabel(): void {
    this.view.relabel();
    this.player.relabel();
    this.panel.render();
    this.view.renderPrompt(this.current?.lease ?? null);
    this.view.renderToday(this.today);
    this.renderQueue();
    this.view.renderActions(this.sheet);
    this.dialogs.relabel();
  }

  private renderQueue(): void {
    this.view.renderQueue(this.queue.pending().length, navigator.onLine);
  }

  private showEmpty(res: EmptyNext): void {
    this.dropCurrent();
    this.view.showEmpty(res, this.config.urls.home, () => void this.acquireCurrent());
  }

  private async loadProgress(): Promise<void> {
    try {
      const progress = await this.api.get<Progress>(`/api/campaigns/${this.config.campaign.id}/progress/`);
      this.today = progress.mine.submitted_last_24h;
      this.view.renderToday(this.today);
    } catch {
      /* the counter is a nicety; the page works without it */
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
