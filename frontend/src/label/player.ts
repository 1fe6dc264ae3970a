/**
 * Two <video> elements on one shared clock. The left video leads; the right one follows and is
 * corrected on every frame the leader presents (requestVideoFrameCallback where the browser has
 * it, requestAnimationFrame otherwise): re-seeked beyond half a frame of drift, rate-nudged below.
 * Play, pause, seek, frame step, speed, loop and mute always act on both.
 */
import { h, icon } from "../lib/dom";
import { t } from "../lib/i18n";
import { correction, frameToTime, nextSpeed, signedDrift, timeToFrame } from "../lib/sync";
import type { ScreenSide } from "../lib/types";

export interface ClipInfo {
  fps: number;
  frameCount: number;
  duration: number;
  /** width / height of the clips, for the panes' aspect ratio. */
  aspect: number;
}

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number;
  cancelVideoFrameCallback?: (id: number) => void;
};

const FLICKER_MS = 500;
const RESYNC_COOLDOWN_MS = 200;

export class SyncedPlayer {
  readonly el: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly slots: Record<ScreenSide, HTMLElement>;
  private readonly badges: Record<ScreenSide, HTMLElement>;
  private readonly errors: Record<ScreenSide, HTMLElement>;
  private readonly flickerBadge: HTMLElement;
  private readonly buttons: Record<string, HTMLButtonElement> = {};
  private readonly frameText: HTMLElement;
  private readonly scrub: HTMLInputElement;
  private readonly speedText: HTMLElement;

  private leader: FrameCallbackVideo | null = null;
  private follower: FrameCallbackVideo | null = null;
  private info: ClipInfo = { fps: 24, frameCount: 0, duration: 0, aspect: 16 / 9 };
  private bindings: AbortController | null = null;
  private tickHandle: number | null = null;
  private tickIsFrameCallback = false;
  private rate = 1;
  private looping = true;
  private muted = true;
  private flicker = false;
  private flickerSide: ScreenSide = "left";
  private flickerTimer: ReturnType<typeof setInterval> | null = null;
  private wantPlay = false;
  private restarting = false;
  private lastResyncAt = 0;
  /** Moving average of how long a follower seek takes, so resyncs land where the leader will be. */
  private seekLatency = 0.03;
  /** Largest drift (s) seen since the last reset; the page exposes it for diagnostics. */
  maxDriftS = 0;

  constructor() {
    const pane = (side: ScreenSide) => {
      const slot = h("div", { class: "video-slot" });
      const badge = h("span", { class: `side-badge side-${side}` });
      const error = h("p", { class: "video-error", role: "alert", hidden: true });
      const el = h("figure", { class: `pane pane-${side}`, "data-side": side }, slot, badge, error);
      return { el, slot, badge, error };
    };
    const left = pane("left");
    const right = pane("right");
    this.slots = { left: left.slot, right: right.slot };
    this.badges = { left: left.badge, right: right.badge };
    this.errors = { left: left.error, right: right.error };
    this.flickerBadge = h("span", { class: "flicker-badge", "aria-live": "polite" });
    this.stage = h("div", { class: "stage", "data-show": "left" }, left.el, right.el, this.flickerBadge);

    const button = (name: string, iconName: string, onclick: () => void, extra: Record<string, string> = {}) => {
      const b = h("button", { type: "button", class: `tbtn tbtn-${name}`, ...extra, onclick: () => onclick() }, icon(iconName));
      this.buttons[name] = b;
      return b;
    };
    this.frameText = h("span", { class: "frame-readout", "aria-live": "off" });
    this.scrub = h("input", { type: "range", class: "scrub", min: 0, max: 0, step: 1, value: 0 });
    this.scrub.addEventListener("input", () => {
      this.pause();
      this.seekFrame(Number(this.scrub.value));
    });
    this.speedText = h("span", { class: "speed-text" });
    const speedButton = h("button", { type: "button", class: "tbtn tbtn-speed", onclick: () => this.cycleSpeed() }, this.speedText);
    this.buttons.speed = speedButton;
    const transport = h(
      "div",
      { class: "transport", role: "group" },
      button("restart", "restart", () => this.restart()),
      button("stepBack", "stepBack", () => this.step(-1)),
      button("play", "play", () => this.togglePlay(), { "data-primary": "true" }),
      button("stepForward", "stepForward", () => this.step(1)),
      this.frameText,
      this.scrub,
      speedButton,
      button("loop", "loop", () => this.toggleLoop()),
      button("mute", "muted", () => this.toggleMute()),
      button("flicker", "flicker", () => this.toggleFlicker()),
    );
    this.el = h("section", { class: "player" }, this.stage, transport);
    this.relabel();
  }

  /** Show a new pair. The elements may come preloaded (readyState 4), so nothing waits on the network. */
  mount(left: HTMLVideoElement, right: HTMLVideoElement, info: ClipInfo): void {
    this.unbind();
    this.info = info;
    this.wantPlay = false;
    this.restarting = false;
    this.maxDriftS = 0;
    for (const [side, video] of [["left", left], ["right", right]] as const) {
      video.muted = this.muted;
      video.loop = false; // both restart together instead (see onEnded)
      video.playbackRate = this.rate;
      video.classList.add("video");
      video.setAttribute("aria-label", t("player.video", { side: t(side === "left" ? "side.left" : "side.right") }));
      this.slots[side].replaceChildren(video);
      this.errors[side].hidden = true;
    }
    this.stage.style.setProperty("--aspect", String(info.aspect || 16 / 9));
    this.leader = left;
    this.follower = right;
    this.scrub.max = String(Math.max(0, info.frameCount - 1));
    this.bind();
    this.startTicking();
    this.render();
  }

  /** Take the videos out (before the pair's elements are disposed). */
  unmount(): HTMLVideoElement[] {
    this.unbind();
    const videos = [this.leader, this.follower].filter((v): v is FrameCallbackVideo => !!v);
    videos.forEach((v) => v.pause());
    this.leader = this.follower = null;
    return videos;
  }

  get videos(): HTMLVideoElement[] {
    return [this.leader, this.follower].filter((v): v is FrameCallbackVideo => !!v);
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
        this.renderFlicker();
      }, FLICKER_MS);
    }
    this.render();
  }

  state() {
    return { rate: this.rate, loop: this.looping, muted: this.muted, flicker: this.flicker, playing: this.wantPlay };
  }

  relabel(): void {
    const label = (name: string, key: Parameters<typeof t>[0], shortcut: string) => {
      const b = this.buttons[name];
      b.setAttribute("aria-label", t(key));
      b.title = `${t(key)} (${shortcut})`;
    };
    label("restart", "player.restart", "0");
    label("stepBack", "player.stepBack", ",");
    label("stepForward", "player.stepForward", ".");
    label("speed", "player.speed", "[ ]");
    label("loop", "player.loop", "l");
    label("mute", "player.mute", "m");
    label("flicker", "player.flicker", "f");
    this.scrub.setAttribute("aria-label", t("player.scrub"));
    this.el.querySelector(".transport")?.setAttribute("aria-label", t("player.controls"));
    this.badges.left.textContent = t("side.left");
    this.badges.right.textContent = t("side.right");
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
    this.follower?.addEventListener(
      "seeked",
      () => {
        const took = (performance.now() - this.lastResyncAt) / 1000;
        if (took > 0 && took < 0.5) this.seekLatency = 0.7 * this.seekLatency + 0.3 * took;
      },
      opts,
    );
  }

  private unbind(): void {
    this.bindings?.abort();
    this.bindings = null;
    this.stopTicking();
  }

  private onEnded(): void {
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
    const side: ScreenSide = video === this.leader ? "left" : "right";
    this.errors[side].textContent = t("player.videoError");
    this.errors[side].hidden = false;
  }

  private startTicking(): void {
    this.stopTicking();
    const leader = this.leader;
    if (!leader) return;
    if (typeof leader.requestVideoFrameCallback === "function") {
      this.tickIsFrameCallback = true;
      const loop = () => {
        this.tick();
        if (this.leader === leader) this.tickHandle = leader.requestVideoFrameCallback!(loop);
      };
      this.tickHandle = leader.requestVideoFrameCallback(loop);
    } else {
      this.tickIsFrameCallback = false;
      const loop = () => {
        this.tick();
        this.tickHandle = requestAnimationFrame(loop);
      };
      this.tickHandle = requestAnimationFrame(loop);
    }
  }

  private stopTicking(): void {
    if (this.tickHandle === null) return;
    if (this.tickIsFrameCallback) this.leader?.cancelVideoFrameCallback?.(this.tickHandle);
    else cancelAnimationFrame(this.tickHandle);
    this.tickHandle = null;
  }

  /** Runs for every frame the leader presents. */
  private tick(): void {
    const { leader, follower } = this;
    if (!leader || !follower) return;
    if (this.wantPlay && !this.restarting && !leader.paused && !follower.paused && !follower.seeking && !leader.ended && !follower.ended) {
      const drift = signedDrift(leader.currentTime, follower.currentTime, this.info.duration);
      this.maxDriftS = Math.max(this.maxDriftS, Math.abs(drift));
      const fix = correction(leader.currentTime, drift, this.info.fps, this.rate);
      const now = performance.now();
      if (fix.kind === "seek" && now - this.lastResyncAt > RESYNC_COOLDOWN_MS) {
        this.lastResyncAt = now;
        follower.playbackRate = this.rate;
        const end = this.info.duration || follower.duration || Number.POSITIVE_INFINITY;
        follower.currentTime = Math.min(end, fix.to + this.seekLatency * this.rate);
      } else if (fix.kind === "nudge") {
        follower.playbackRate = fix.rate;
      } else if (follower.playbackRate !== this.rate) {
        follower.playbackRate = this.rate;
      }
    }
    this.renderTime();
  }

  private renderTime(): void {
    const frame = this.currentFrame();
    const total = Math.max(1, this.info.frameCount);
    this.frameText.textContent = t("player.frame", { n: frame + 1, total });
    if (document.activeElement !== this.scrub) this.scrub.value = String(frame);
    this.scrub.setAttribute("aria-valuetext", this.frameText.textContent);
  }

  private renderFlicker(): void {
    this.stage.dataset.show = this.flicker ? this.flickerSide : "both";
    const side = t(this.flickerSide === "left" ? "side.left" : "side.right");
    this.flickerBadge.textContent = this.flicker ? t("player.flickerShowing", { side }) : "";
  }

  private render(): void {
    const play = this.buttons.play;
    play.replaceChildren(icon(this.wantPlay ? "pause" : "play"));
    const playLabel = t(this.wantPlay ? "player.pause" : "player.play");
    play.setAttribute("aria-label", playLabel);
    play.title = `${playLabel} (Space)`;
    this.buttons.loop.setAttribute("aria-pressed", String(this.looping));
    this.buttons.flicker.setAttribute("aria-pressed", String(this.flicker));
    this.buttons.mute.setAttribute("aria-pressed", String(this.muted));
    this.buttons.mute.replaceChildren(icon(this.muted ? "muted" : "volume"));
    this.speedText.textContent = `${this.rate}×`;
    this.stage.classList.toggle("is-flicker", this.flicker);
    this.renderFlicker();
    this.renderTime();
  }
}
