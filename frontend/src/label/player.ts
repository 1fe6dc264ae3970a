/**
 * Two <video> elements on one shared clock. The left video leads; the right one follows and is
 * corrected on every frame the leader presents (see drift.ts). Play, pause, seek, frame step,
 * speed, loop and mute always act on both. The markup lives in player-controls.ts.
 */
import { frameToTime, nextSpeed, timeToFrame } from "../lib/sync";
import type { ScreenSide } from "../lib/types";
import { DriftCorrector } from "./drift";
import { PlayerControls } from "./player-controls";

export interface ClipInfo {
  fps: number;
  frameCount: number;
  duration: number;
  /** width / height of the clips, for the panes' aspect ratio. */
  aspect: number;
}

const FLICKER_MS = 500;

export class SyncedPlayer {
  readonly el: HTMLElement;
  private readonly controls: PlayerControls;
  private readonly drift: DriftCorrector;

  private leader: HTMLVideoElement | null = null;
  private follower: HTMLVideoElement | null = null;
  private info: ClipInfo = { fps: 24, frameCount: 0, duration: 0, aspect: 16 / 9 };
  private bindings: AbortController | null = null;
  private rate = 1;
  private looping = true;
  private muted = true;
  private flicker = false;
  private flickerSide: ScreenSide = "left";
  private flickerTimer: ReturnType<typeof setInterval> | null = null;
  private wantPlay = false;
  private restarting = false;
  /** A span being replayed: both videos loop over this media-time range [from, to). */
  private range: { from: number; to: number } | null = null;
  /** Called whenever the shown frame may have changed (span lanes move their playheads). */
  onTime: (() => void) | null = null;

  constructor() {
    this.controls = new PlayerControls({
      restart: () => this.restart(),
      step: (delta) => this.step(delta),
      togglePlay: () => this.togglePlay(),
      scrub: (frame) => {
        this.pause();
        this.seekFrame(frame);
      },
      cycleSpeed: () => this.cycleSpeed(),
      toggleLoop: () => this.toggleLoop(),
      toggleMute: () => this.toggleMute(),
      toggleFlicker: () => this.toggleFlicker(),
    });
    this.drift = new DriftCorrector({
      shouldCorrect: () => this.wantPlay && !this.restarting,
      rate: () => this.rate,
      onFrame: () => this.renderTime(),
    });
    this.el = this.controls.el;
    this.relabel();
  }

  /** Largest drift (s) seen since the pair was mounted; the page exposes it for diagnostics. */
  get maxDriftS(): number {
    return this.drift.maxDriftS;
  }

  /** Show a new pair. The elements may come preloaded (readyState 4), so nothing waits on the network. */
  mount(left: HTMLVideoElement, right: HTMLVideoElement, info: ClipInfo): void {
    this.unbind();
    this.range = null;
    this.info = info;
    this.wantPlay = false;
    this.restarting = false;
    for (const video of [left, right]) {
      video.muted = this.muted;
      video.loop = false; // both restart together instead (see onEnded)
      video.playbackRate = this.rate;
    }
    this.controls.attach({ left, right }, info.aspect, info.frameCount);
    this.leader = left;
    this.follower = right;
    this.bind();
    this.drift.start(left, right, info);
    this.render();
  }

  /** Take the videos out (before the pair's elements are disposed). */
  unmount(): HTMLVideoElement[] {
    this.unbind();
    const videos = [this.leader, this.follower].filter((v): v is HTMLVideoElement => !!v);
    videos.forEach((v) => v.pause());
    this.leader = this.follower = null;
    return videos;
  }

  get videos(): HTMLVideoElement[] {
    return [this.leader, this.follower].filter((v): v is HTMLVideoElement => !!v);
  }

  /** The video on one side of the screen (the left one leads). */
  videoAt(side: ScreenSide): HTMLVideoElement | null {
    return side === "left" ? this.leader : this.follower;
  }

  /** Add an element between the videos and the transport bar. */
  addBelowStage(el: HTMLElement): void {
    this.controls.addBelowStage(el);
  }

  /**
   * Loop both videos over [from, to) seconds (a span's frames) until stopLoop, a seek or a new
   * pair. Both restart together, so in flicker mode the flicker view loops the span too.
   */
  loopRange(from: number, to: number): void {
    const range = { from, to };
    this.range = range;
    this.seekBoth(from + 0.5 / this.info.fps);
    if (this.wantPlay) return; // playing already: the seek is enough
    // Start once both have seeked: a play() still pending when one stalls and the other is held
    // (onWaiting) would be refused, and the player would give up on playing.
    let pending = this.videos.length;
    const go = () => {
      if (--pending === 0 && this.range === range) this.play();
    };
    this.videos.forEach((v) => (v.seeking ? v.addEventListener("seeked", go, { once: true }) : go()));
  }

  stopLoop(): void {
    if (!this.range) return;
    this.range = null;
    this.pause();
  }

  get loopingRange(): boolean {
    return this.range !== null;
  }

  isPlaying(): boolean {
    return this.wantPlay;
  }

  bothReady(minState = 3): boolean {
    return this.videos.length === 2 && this.videos.every((v) => v.readyState >= minState);
  }

  play(): void {
    const { leader, follower } = this;
    if (!leader || !follower) return;
    this.wantPlay = true;
    if (leader.ended || follower.ended) this.seekBoth(0);
    else if (Math.abs(follower.currentTime - leader.currentTime) > 0.5 / this.info.fps) follower.currentTime = leader.currentTime;
    Promise.all([leader.play(), follower.play()]).catch(() => {
      // Autoplay refused (no user gesture yet): show the play button; the next key press starts it.
      this.wantPlay = false;
      this.render();
    });
    this.render();
  }

  pause(): void {
    this.wantPlay = false;
    this.videos.forEach((v) => v.pause());
    const { leader, follower } = this;
    if (leader && follower && !follower.seeking) follower.currentTime = leader.currentTime;
    this.render();
  }

  togglePlay(): void {
    if (this.wantPlay) this.pause();
    else this.play();
  }

  currentFrame(): number {
    return this.leader ? timeToFrame(this.leader.currentTime, this.info.fps, this.info.frameCount) : 0;
  }

  seekFrame(frame: number): void {
    this.range = null; // stepping or scrubbing ends a span replay
    this.seekBoth(frameToTime(frame, this.info.fps, this.info.frameCount));
    this.render();
  }

  step(delta: 1 | -1): void {
    if (this.wantPlay) this.pause();
    this.seekFrame(this.currentFrame() + delta);
  }

  restart(): void {
    this.seekFrame(0);
  }

  speed(delta: 1 | -1): void {
    this.rate = nextSpeed(this.rate, delta);
    this.videos.forEach((v) => (v.playbackRate = this.rate));
    this.render();
  }

  /** Cycle through the speeds from the button (wraps around, unlike the [ ] keys). */
  cycleSpeed(): void {
    const next = nextSpeed(this.rate, 1);
    this.rate = next === this.rate ? 0.25 : next;
    this.videos.forEach((v) => (v.playbackRate = this.rate));
    this.render();
  }

  toggleLoop(): void {
    this.looping = !this.looping;
    this.render();
  }

  toggleMute(): void {
    this.muted = !this.muted;
    this.videos.forEach((v) => (v.muted = this.muted));
    this.render();
  }

  toggleFlicker(): void {
    this.flicker = !this.flicker;
    if (this.flickerTimer) clearInterval(this.flickerTimer);
    this.flickerTimer = null;
    this.flickerSide = "left";
    if (this.flicker) {
      this.flickerTimer = setInterval(() => {
        this.flickerSide = this.flickerSide === "left" ? "right" : "left";
        this.controls.renderFlicker(this.flicker, this.flickerSide);
      }, FLICKER_MS);
    }
    this.render();
  }

  state() {
    return { rate: this.rate, loop: this.looping, muted: this.muted, flicker: this.flicker, playing: this.wantPlay };
  }

  relabel(): void {
    this.controls.relabel();
    this.render();
  }

  private seekBoth(time: number): void {
    this.videos.forEach((v) => (v.currentTime = time));
  }

  private bind(): void {
    const ac = new AbortController();
    this.bindings = ac;
    const opts = { signal: ac.signal };
    for (const video of this.videos) {
      video.addEventListener("ended", () => this.onEnded(), opts);
      video.addEventListener("seeked", () => this.render(), opts);
      video.addEventListener("waiting", () => this.onWaiting(video), opts);
      video.addEventListener("canplay", () => this.onCanPlay(), opts);
      video.addEventListener("error", () => this.onError(video), opts);
    }
  }

  private unbind(): void {
    this.bindings?.abort();
    this.bindings = null;
    this.drift.stop();
  }

  /** On every leader frame during a span replay: back to the span's start once past its end. */
  private keepInRange(): void {
    const { range, leader } = this;
    if (!range || !leader || leader.seeking) return;
    const t = leader.currentTime;
    if (t >= range.to - 1e-3 || t < range.from - 0.5 / this.info.fps) this.seekBoth(range.from + 0.5 / this.info.fps);
  }

  private onEnded(): void {
    if (this.range) {
      // A span that runs to the last frame: loop it instead of the whole clip.
      this.seekBoth(this.range.from + 0.5 / this.info.fps);
      if (this.wantPlay) Promise.all(this.videos.map((v) => v.play())).catch(() => undefined);
      return;
    }
    // Clips of one pair may differ in length: the shorter rests on its last frame until both end.
    const videos = this.videos;
    if (!videos.every((v) => v.ended)) return;
    if (!this.looping) {
      this.wantPlay = false;
      this.render();
      return;
    }
    if (this.restarting) return;
    this.restarting = true;
    this.seekBoth(0);
    let pending = videos.length;
    const resume = () => {
      if (--pending > 0) return;
      this.restarting = false;
      if (this.wantPlay) Promise.all(videos.map((v) => v.play())).catch(() => undefined);
    };
    videos.forEach((v) => (v.seeking ? v.addEventListener("seeked", resume, { once: true }) : resume()));
  }

  private onWaiting(video: HTMLVideoElement): void {
    // One stalls: hold the other so they do not drift apart while it buffers.
    if (!this.wantPlay) return;
    this.videos.filter((v) => v !== video).forEach((v) => v.pause());
  }

  private onCanPlay(): void {
    if (!this.wantPlay || this.restarting) return;
    if (this.videos.some((v) => v.paused) && this.bothReady()) this.play();
  }

  private onError(video: HTMLVideoElement): void {
    this.controls.showError(video === this.leader ? "left" : "right");
  }

  private renderTime(): void {
    this.keepInRange();
    this.controls.renderTime(this.currentFrame(), this.info.frameCount);
    this.onTime?.();
  }

  private render(): void {
    this.controls.render({
      playing: this.wantPlay,
      looping: this.looping,
      muted: this.muted,
      rate: this.rate,
      flicker: this.flicker,
      flickerSide: this.flickerSide,
      frame: this.currentFrame(),
      frameCount: this.info.frameCount,
    });
    this.onTime?.();
  }
}
