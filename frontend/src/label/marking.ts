/**
 * Marking artefact spans on the label page (issue #22), keyboard first. The annotator works on
 * the *active* video (v switches Left / Right, shown on its lane) and on the highlighted answer
 * row's dimension: i sets the in-point at the frame that video shows, o the out-point and adds the
 * span (merged with any it overlaps), n selects the next span, Shift(+Alt)+←/→ nudge its start
 * (end), Delete removes it, r replays it looped in both players. The spans live in the draft
 * (spans.ts holds the rules, spanTimeline.ts draws the lanes).
 */
import { h } from "../lib/dom";
import { dimensionText, t } from "../lib/i18n";
import { videoOn } from "../lib/strength";
import type { ScreenSide, Span } from "../lib/types";
import type { SyncedPlayer } from "./player";
import type { AnswerSheet } from "./sheet";
import { laneView, movePlayhead } from "./spanTimeline";
import { addSpan, cycleSpan, frameAt, nudgeSpan, removeSpan, spanTimes, trackSpans, type Edge, type FrameGrid } from "./spans";

export interface MarkingHost {
  player: SyncedPlayer;
  sheet: () => AnswerSheet | null;
  /** The spans changed: save the draft. */
  onChange: () => void;
  /** Say something that needs the annotator's attention (a refusal). */
  warn: (text: string) => void;
}

export class SpanMarker {
  readonly el: HTMLElement;
  private readonly lanes = h("div", { class: "lanes-rows" });
  private readonly live = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  private active: ScreenSide = "left";
  private pending: { video: number; frame: number } | null = null;
  private selected: Span | null = null;
  private replaying: Span | null = null;

  constructor(private readonly host: MarkingHost) {
    this.el = h("section", { class: "span-lanes", "data-replaying": "false" }, this.lanes, this.live);
    host.player.addBelowStage(this.el);
    host.player.onTime = () => this.tick();
    // A click on a lane makes its video the active one (the keyboard has v).
    this.lanes.addEventListener("click", (e) => {
      const side = (e.target as HTMLElement).closest<HTMLElement>(".lane")?.dataset.side;
      if (side && side !== this.active) this.switchVideo();
    });
  }

  /** A new pair is shown: start on the left video with nothing pending. */
  reset(): void {
    this.active = "left";
    this.pending = this.selected = this.replaying = null;
    this.render();
  }

  markIn(): void {
    const target = this.target();
    if (!target) return;
    this.pending = { video: target.video, frame: frameAt(target.time, target.grid) };
    this.say(t("span.inSet", { frame: this.pending.frame + 1, side: this.sideName() }));
    this.render();
  }

  markOut(): void {
    const target = this.target();
    const sheet = this.host.sheet();
    if (!target || !sheet) return;
    const out = frameAt(target.time, target.grid);
    // o without an in-point (or after switching videos) marks a one-frame span at the playhead.
    const from = this.pending?.video === target.video ? this.pending.frame : out;
    const before = trackSpans(sheet.draft.spans, target.video, target.dimension).length;
    const result = addSpan(sheet.draft.spans, target.video, target.dimension, from, out, target.grid);
    if (!result.span) return this.host.warn(t("span.full", { side: this.sideName() }));
    sheet.draft.spans = result.spans;
    this.pending = null;
    this.selected = result.span;
    const merged = trackSpans(result.spans, target.video, target.dimension).length <= before;
    const args = { side: this.sideName(), start: result.span.start + 1, end: result.span.end + 1, dimension: target.dimensionName };
    this.say(t(merged ? "span.merged" : "span.added", args));
    this.changed();
  }

  switchVideo(): void {
    this.active = this.active === "left" ? "right" : "left";
    this.selected = null;
    this.say(t("span.activeNow", { side: this.sideName() }));
    this.render();
  }

  selectNext(): void {
    const target = this.target(false);
    const sheet = this.host.sheet();
    if (!target || !sheet) return;
    this.selected = cycleSpan(trackSpans(sheet.draft.spans, target.video, target.dimension), this.selected);
    const s = this.selected;
    this.say(s ? t("span.selected", { start: s.start + 1, end: s.end + 1, side: this.sideName() }) : t("span.none", { side: this.sideName() }));
    this.render();
  }

  nudge(edge: Edge, delta: 1 | -1): void {
    const sheet = this.host.sheet();
    const target = this.target(false);
    if (!sheet || !target) return;
    if (!this.selected) return this.say(t("span.noneSelected"));
    const wasReplaying = this.replaying === this.selected;
    const result = nudgeSpan(sheet.draft.spans, this.selected, edge, delta, target.grid);
    sheet.draft.spans = result.spans;
    this.selected = result.span;
    this.say(t("span.nudged", { start: result.span.start + 1, end: result.span.end + 1 }));
    if (wasReplaying) this.startReplay(result.span, target.grid);
    this.changed();
  }

  /** Delete the selected span; false when none is selected (the key then clears the row). */
  deleteSelected(): boolean {
    const sheet = this.host.sheet();
    const s = this.selected;
    if (!sheet || !s) return false;
    if (this.replaying === s) this.stopReplay(false);
    sheet.draft.spans = removeSpan(sheet.draft.spans, s);
    this.selected = null;
    this.say(t("span.deleted", { start: s.start + 1, end: s.end + 1 }));
    this.changed();
    return true;
  }

  toggleReplay(): void {
    if (this.replaying) return this.stopReplay(true);
    const target = this.target(false);
    if (!target) return;
    if (!this.selected) return this.say(t("span.noneSelected"));
    this.startReplay(this.selected, target.grid);
    this.say(t("span.replaying", { start: this.selected.start + 1, end: this.selected.end + 1 }));
  }

  /** Esc: stop a replay, else drop a pending in-point. True when it did either. */
  cancel(): boolean {
    if (this.replaying) {
      this.stopReplay(true);
      return true;
    }
    if (!this.pending) return false;
    this.pending = null;
    this.say(t("span.cancelled"));
    this.render();
    return true;
  }

  render(): void {
    const sheet = this.host.sheet();
    if (!sheet) return this.lanes.replaceChildren();
    const item = sheet.items[sheet.draft.focus];
    if (!item) return this.lanes.replaceChildren();
    if (this.selected && (this.selected.dimension !== item.dim.key || !sheet.draft.spans.includes(this.selected))) this.selected = null;
    if (this.replaying && !this.host.player.loopingRange) this.replaying = null;
    const name = (key: string) => dimensionText(sheet.lease.dimensions.find((d) => d.key === key) ?? item.dim).name;
    const lane = (side: ScreenSide) => {
      const video = videoOn(sheet.lease, side).id;
      const grid = sheet.grids.get(video);
      return laneView(
        {
          side,
          video,
          active: side === this.active,
          frameCount: grid?.frameCount ?? null,
          dimension: item.dim.key,
          dimensionName: name(item.dim.key),
          spans: sheet.draft.spans.filter((s) => s.video === video),
          selected: this.selected,
          replaying: this.replaying,
          pending: this.pending?.video === video ? this.pending.frame : null,
          playhead: grid ? this.frameOf(side, grid) : 0,
        },
        name,
      );
    };
    this.el.setAttribute("aria-label", t("span.lanes"));
    this.el.dataset.replaying = String(!!this.replaying);
    this.lanes.replaceChildren(lane("left"), lane("right"));
  }

  private tick(): void {
    const sheet = this.host.sheet();
    if (!sheet) return;
    for (const side of ["left", "right"] as const) {
      const lane = this.lanes.querySelector<HTMLElement>(`.lane-${side}`);
      const grid = sheet.grids.get(videoOn(sheet.lease, side).id);
      if (lane && grid) movePlayhead(lane, this.frameOf(side, grid), grid.frameCount);
    }
    if (this.replaying && !this.host.player.loopingRange) {
      this.replaying = null; // a step or a seek ended it
      this.render();
    }
  }

  private frameOf(side: ScreenSide, grid: FrameGrid): number {
    return frameAt(this.host.player.videoAt(side)?.currentTime ?? 0, grid);
  }

  /** What a marking key acts on: the active video, its grid and time, the row's dimension. */
  private target(needGrid = true) {
    const sheet = this.host.sheet();
    const item = sheet?.items[sheet.draft.focus];
    if (!sheet || !item) return null;
    const video = videoOn(sheet.lease, this.active).id;
    const grid = sheet.grids.get(video);
    if (!grid) {
      if (needGrid) this.host.warn(t("span.noGrid", { side: this.sideName() }));
      return null;
    }
    const time = this.host.player.videoAt(this.active)?.currentTime ?? 0;
    return { video, grid, time, dimension: item.dim.key, dimensionName: dimensionText(item.dim).name };
  }

  private startReplay(span: Span, grid: FrameGrid): void {
    const { from, to } = spanTimes(span, grid);
    this.replaying = span;
    this.host.player.loopRange(from, to);
    this.render();
  }

  private stopReplay(announce: boolean): void {
    this.replaying = null;
    this.host.player.stopLoop();
    if (announce) this.say(t("span.replayStopped"));
    this.render();
  }

  private sideName(): string {
    return t(this.active === "left" ? "side.left" : "side.right");
  }

  private say(text: string): void {
    this.live.textContent = text;
  }

  private changed(): void {
    this.host.onChange();
    this.render();
  }
}
