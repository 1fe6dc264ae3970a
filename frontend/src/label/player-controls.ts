/**
 * The synced player's markup: the two panes (video slot, side badge, error line), the flicker
 * badge and the transport bar. It holds no playback state: the player renders its state into it.
 */
import { h, icon } from "../lib/dom";
import { t } from "../lib/i18n";
import type { ScreenSide } from "../lib/types";

export interface TransportActions {
  restart: () => void;
  step: (delta: 1 | -1) => void;
  togglePlay: () => void;
  /** The scrub bar moved to this frame. */
  scrub: (frame: number) => void;
  cycleSpeed: () => void;
  toggleLoop: () => void;
  toggleMute: () => void;
  toggleFlicker: () => void;
}

export interface PlayerViewState {
  playing: boolean;
  looping: boolean;
  muted: boolean;
  rate: number;
  flicker: boolean;
  flickerSide: ScreenSide;
  frame: number;
  frameCount: number;
}

export class PlayerControls {
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

  constructor(actions: TransportActions) {
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
    this.scrub.addEventListener("input", () => actions.scrub(Number(this.scrub.value)));
    this.speedText = h("span", { class: "speed-text" });
    const speedButton = h("button", { type: "button", class: "tbtn tbtn-speed", onclick: () => actions.cycleSpeed() }, this.speedText);
    this.buttons.speed = speedButton;
    const transport = h(
      "div",
      { class: "transport", role: "group" },
      button("restart", "restart", () => actions.restart()),
      button("stepBack", "stepBack", () => actions.step(-1)),
      button("play", "play", () => actions.togglePlay(), { "data-primary": "true" }),
      button("stepForward", "stepForward", () => actions.step(1)),
      this.frameText,
      this.scrub,
      speedButton,
      button("loop", "loop", () => actions.toggleLoop()),
      button("mute", "muted", () => actions.toggleMute()),
      button("flicker", "flicker", () => actions.toggleFlicker()),
    );
    this.el = h("section", { class: "player" }, this.stage, transport);
  }

  /** Put a pair's (already configured) videos into the panes. */
  attach(videos: Record<ScreenSide, HTMLVideoElement>, aspect: number, frameCount: number): void {
    for (const side of ["left", "right"] as const) {
      const video = videos[side];
      video.classList.add("video");
      video.setAttribute("aria-label", t("player.video", { side: t(side === "left" ? "side.left" : "side.right") }));
      this.slots[side].replaceChildren(video);
      this.errors[side].hidden = true;
    }
    this.stage.style.setProperty("--aspect", String(aspect || 16 / 9));
    this.scrub.max = String(Math.max(0, frameCount - 1));
  }

  addBelowStage(el: HTMLElement): void {
    this.stage.after(el);
  }

  showError(side: ScreenSide): void {
    this.errors[side].textContent = t("player.videoError");
    this.errors[side].hidden = false;
  }

  /** Labels in the current language (the caller renders the state afterwards). */
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
  }

  renderTime(frame: number, frameCount: number): void {
    const total = Math.max(1, frameCount);
    this.frameText.textContent = t("player.frame", { n: frame + 1, total });
    if (document.activeElement !== this.scrub) this.scrub.value = String(frame);
    this.scrub.setAttribute("aria-valuetext", this.frameText.textContent);
  }

  renderFlicker(flicker: boolean, flickerSide: ScreenSide): void {
    this.stage.dataset.show = flicker ? flickerSide : "both";
    const side = t(flickerSide === "left" ? "side.left" : "side.right");
    this.flickerBadge.textContent = flicker ? t("player.flickerShowing", { side }) : "";
  }

  render(s: PlayerViewState): void {
    const play = this.buttons.play;
    play.replaceChildren(icon(s.playing ? "pause" : "play"));
    const playLabel = t(s.playing ? "player.pause" : "player.play");
    play.setAttribute("aria-label", playLabel);
    play.title = `${playLabel} (Space)`;
    this.buttons.loop.setAttribute("aria-pressed", String(s.looping));
    this.buttons.flicker.setAttribute("aria-pressed", String(s.flicker));
    this.buttons.mute.setAttribute("aria-pressed", String(s.muted));
    this.buttons.mute.replaceChildren(icon(s.muted ? "muted" : "volume"));
    this.speedText.textContent = `${s.rate}×`;
    this.stage.classList.toggle("is-flicker", s.flicker);
    this.renderFlicker(s.flicker, s.flickerSide);
    this.renderTime(s.frame, s.frameCount);
  }
}
