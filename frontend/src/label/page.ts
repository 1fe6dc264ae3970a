/**
 * The labelling page controller: leases (current + one prefetched), the answer sheet with
 * autosave, the persistent submission queue, heartbeats and the keyboard.
 *
 * Flow: lease (resuming an open one after a reload) → show → prefetch and preload the next pair
 * → answer → submit: the answers go into the persistent queue and the prefetched pair is swapped
 * in at once; the queue uploads in the background and retries until the server settles it.
 *
 * The parts live beside it: leases.ts (leasing with retry, lost leases), prefetch.ts (the next
 * pair), submissions.ts (the queue and the day's counter), keyboard.ts (keys → actions),
 * timing.ts (time spent, swap metric).
 */
import type { Api } from "../lib/api";
import { DraftStore } from "../lib/autosave";
import { Heartbeat } from "../lib/heartbeat";
import { onLangChange, t } from "../lib/i18n";
import type { Action } from "../lib/keymap";
import type { KV } from "../lib/storage";
import type { EmptyNext, FlagReason, NextResponse, PageConfig } from "../lib/types";
import { AnswerPanel } from "./answers";
import { Dialogs } from "./dialogs";
import { listenForKeys, runAction, type KeyboardHost } from "./keyboard";
import { SpanMarker } from "./marking";
import { explainLostLease, leaseUntilAnswered } from "./leases";
import { PreparedPair } from "./pairs";
import { SyncedPlayer } from "./player";
import { Prefetcher } from "./prefetch";
import { AnswerSheet } from "./sheet";
import { Submissions } from "./submissions";
import { SwapClock, TimeSpent, type SwapMetric } from "./timing";
import { LabelView } from "./view";

export type { SwapMetric };

export class LabelPage {
  readonly player = new SyncedPlayer();
  private readonly drafts: DraftStore;
  private readonly heartbeat: Heartbeat;
  private readonly panel: AnswerPanel;
  private readonly dialogs: Dialogs;
  private readonly view: LabelView;
  private readonly submissions: Submissions;
  private readonly prefetcher: Prefetcher;
  private readonly keys: KeyboardHost;
  private readonly spans = new SpanMarker({
    player: this.player,
    sheet: () => this.sheet,
    onChange: () => this.saveDraft(),
    warn: (text) => this.view.toasts.show(text, "warn"),
  });

  private current: PreparedPair | null = null;
  private sheet: AnswerSheet | null = null;
  private readonly spent = new TimeSpent();
  private readonly swapClock = new SwapClock();
  private acquiring = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly config: PageConfig,
    private readonly api: Api,
    storage: KV,
  ) {
    this.drafts = new DraftStore(storage);
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
    this.submissions = new Submissions({
      storage,
      api,
      campaignId: config.campaign.id,
      view: this.view,
      onSettled: () => this.prefetcher.prefetch(),
    });
    this.prefetcher = new Prefetcher({
      requestNext: (exclude) => this.requestNext(exclude),
      holding: () => this.current?.assignment ?? null,
      pendingAssignments: () => this.submissions.pendingAssignments(),
      bin: this.view.bin,
      root,
      onLeased: () => this.trackLeases(),
    });
    this.keys = {
      player: this.player,
      panel: this.panel,
      dialogs: this.dialogs,
      spans: this.spans,
      hasPair: () => !!this.current,
      submit: () => this.submit(),
      skip: () => this.doSkip(),
      flag: (reason, note) => this.doFlag(reason, note),
    };
    this.relabel();
  }

  /** Submit → next pair playable, per swap (read by the browser tests). */
  get swaps(): SwapMetric[] {
    return this.swapClock.swaps;
  }

  async start(): Promise<void> {
    this.drafts.prune(undefined);
    listenForKeys(this.keys, (action) => this.dispatch(action));
    document.addEventListener("visibilitychange", () => this.onVisibility());
    window.addEventListener("pagehide", () => this.saveDraft());
    window.addEventListener("online", () => {
      this.view.banners.clear("network");
      this.submissions.retryNow();
      void this.heartbeat.beatNow();
      this.prefetcher.prefetch();
      this.submissions.renderQueue();
    });
    window.addEventListener("offline", () => this.submissions.renderQueue());
    onLangChange(() => this.relabel());
    this.heartbeat.start();
    this.submissions.start();
    await this.acquireCurrent();
  }

  dispatch(action: Action): void {
    runAction(action, this.keys);
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
      const res = await leaseUntilAnswered(() => this.requestNext(this.submissions.pendingAssignments()), this.view.banners);
      if (res === null) return;
      if (res.assignment === null) return this.showEmpty(res);
      const pair = this.prefetcher.pair?.assignment === res.assignment ? this.prefetcher.take() : new PreparedPair(res, this.view.bin);
      this.show(pair);
      this.prefetcher.prefetch();
    } finally {
      this.acquiring = false;
    }
  }

  private trackLeases(): void {
    this.heartbeat.track([this.current, this.prefetcher.pair].filter((p): p is PreparedPair => !!p).map((p) => p.assignment));
  }

  private onLeaseLost(id: number, code: string): void {
    if (this.prefetcher.pair?.assignment === id) {
      this.prefetcher.take().dispose();
      this.prefetcher.prefetch();
      return;
    }
    if (this.current?.assignment !== id) return;
    void explainLostLease(this.api, this.view.banners, id, code);
    this.drafts.clear(id);
    void this.advance();
  }

  // ---- showing a pair -----------------------------------------------------------------------

  private show(pair: PreparedPair): void {
    this.dropCurrent();
    this.current = pair;
    const draft = this.drafts.load(pair.assignment);
    this.sheet = new AnswerSheet(pair.lease, draft);
    this.spent.restart(draft.spentMs);
    this.root.dataset.assignment = String(pair.assignment);
    this.root.dataset.left = pair.lease.left;
    this.view.renderPrompt(pair.lease);
    this.player.mount(pair.left, pair.right, pair.info());
    this.panel.setSheet(this.sheet);
    this.spans.reset();
    this.view.showWorkspace();
    this.view.renderActions(this.sheet);
    this.trackLeases();
    this.panel.focusCurrent();
    const begin = () => {
      if (this.current !== pair) return;
      this.player.play();
      this.swapClock.record(pair.assignment, () => this.current === pair, this.player);
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
    this.spans.reset();
  }

  private async advance(): Promise<void> {
    if (this.prefetcher.pair) {
      this.show(this.prefetcher.take());
      this.prefetcher.prefetch();
      return;
    }
    this.dropCurrent();
    this.view.showLoading();
    const inFlight = this.prefetcher.inFlight;
    if (inFlight) await inFlight;
    if (this.prefetcher.pair) {
      this.show(this.prefetcher.take());
      this.prefetcher.prefetch();
      return;
    }
    await this.acquireCurrent();
  }

  private showEmpty(res: EmptyNext): void {
    this.dropCurrent();
    this.view.showEmpty(res, this.config.urls.home, () => void this.acquireCurrent());
  }

  // ---- answering ----------------------------------------------------------------------------

  private saveDraft(): void {
    if (!this.sheet) return;
    this.sheet.draft.spentMs = Math.round(this.spent.ms());
    this.drafts.save(this.sheet.draft);
    this.view.renderActions(this.sheet);
    this.spans.render(); // the highlighted row (the spans' dimension) may have moved
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
    this.swapClock.start();
    this.finish("submit", sheet.submitBody(this.spent.ms()));
  }

  private finish(kind: "submit" | "skip" | "flag", body: Record<string, unknown>): void {
    const current = this.current;
    if (!current) return;
    this.submissions.enqueue(kind, current.assignment, body);
    this.drafts.clear(current.assignment);
    void this.advance();
    this.submissions.flush();
    if (!navigator.onLine) this.view.toasts.show(t("toast.queued"), "info", 4000);
    else if (kind === "skip") this.view.toasts.show(t("toast.skipped"));
    else if (kind === "flag") this.view.toasts.show(t("toast.flagged"));
  }

  private doSkip(): void {
    this.dialogs.closeAll();
    this.finish("skip", { note: "", time_spent_ms: Math.round(this.spent.ms()) });
  }

  private doFlag(reason: FlagReason, note: string): void {
    this.dialogs.closeAll();
    this.finish("flag", { reason, note: note.slice(0, 500) });
  }

  private onVisibility(): void {
    if (document.visibilityState === "hidden") {
      this.spent.pause();
      this.saveDraft();
    } else if (this.current) {
      this.spent.resume();
    }
  }

  private relabel(): void {
    this.view.relabel();
    this.player.relabel();
    this.panel.render();
    this.view.renderPrompt(this.current?.lease ?? null);
    this.submissions.renderToday();
    this.submissions.renderQueue();
    this.view.renderActions(this.sheet);
    this.spans.render();
    this.dialogs.relabel();
  }
}
