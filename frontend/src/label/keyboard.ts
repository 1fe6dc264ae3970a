/**
 * The labelling page's keyboard: which key presses become actions (the map itself is in
 * lib/keymap.ts) and what each action does to the player, the answer rows and the dialogs.
 */
import { isTyping } from "../lib/dom";
import { resolveKey, type Action } from "../lib/keymap";
import type { FlagReason } from "../lib/types";
import type { AnswerPanel } from "./answers";
import type { Dialogs } from "./dialogs";
import type { SpanMarker } from "./marking";
import type { SyncedPlayer } from "./player";

export interface KeyboardHost {
  player: SyncedPlayer;
  panel: AnswerPanel;
  dialogs: Dialogs;
  spans: SpanMarker;
  /** A pair is on screen (skip and flag need one). */
  hasPair: () => boolean;
  submit: () => void;
  skip: () => void;
  flag: (reason: FlagReason, note: string) => void;
}

/** Listen on the document for the page's lifetime. */
export function listenForKeys(host: KeyboardHost, dispatch: (action: Action) => void): void {
  document.addEventListener("keydown", (e) => {
    const action = keyAction(e, host);
    if (!action) return;
    e.preventDefault();
    dispatch(action);
  });
  document.addEventListener("keyup", (e) => {
    if (e.key === " " && !isTyping(e.target) && (e.target as HTMLElement)?.getAttribute?.("role") === "radio") e.preventDefault();
  });
}

function keyAction(e: KeyboardEvent, host: KeyboardHost): Action | null {
  if (e.isComposing) return null;
  if (isTyping(e.target)) {
    if (e.key === "Escape") host.dialogs.closeAll();
    return null;
  }
  const target = e.target as HTMLElement;
  const isControl = (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) && target.getAttribute("role") !== "radio";
  if (isControl && (e.key === "Enter" || e.key === " ")) return null; // a focused button or link does its own thing
  if (target instanceof HTMLInputElement && target.type === "range" && e.key.startsWith("Arrow")) return null;
  return resolveKey(e, host.dialogs.mode(host.hasPair()));
}

/** Do one action, from a key press or from a button that stands for one. */
export function runAction(action: Action, host: KeyboardHost): void {
  const { player: p, panel, dialogs, spans } = host;
  if (action.type.startsWith("span")) return host.hasPair() ? runSpanAction(action, spans) : undefined;
  switch (action.type) {
    case "choose":
      return panel.choose(action.value);
    case "clear":
      // With a span selected, Delete / Backspace delete the span; otherwise they clear the row.
      return spans.deleteSelected() ? undefined : panel.clear();
    case "move":
      return panel.move(action.delta);
    case "adjust":
      return panel.adjust(action.delta);
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
      return host.submit();
    case "skip":
      return host.hasPair() ? dialogs.openSkip() : undefined;
    case "flag":
      return host.hasPair() ? dialogs.openFlag() : undefined;
    case "flagReason":
      return dialogs.pickFlag(action.reason);
    case "confirm":
      return dialogs.mode(host.hasPair()) === "flag" ? dialogs.sendFlag() : host.skip();
    case "guidelines":
      return dialogs.toggleGuide();
    case "help":
      return dialogs.openHelp();
    case "close":
      // Esc first stops a span replay or drops a pending in-point; dialogs close either way.
      spans.cancel();
      return dialogs.closeAll();
  }
}

function runSpanAction(action: Action, spans: SpanMarker): void {
  switch (action.type) {
    case "spanIn":
      return spans.markIn();
    case "spanOut":
      return spans.markOut();
    case "spanVideo":
      return spans.switchVideo();
    case "spanNext":
      return spans.selectNext();
    case "spanNudge":
      return spans.nudge(action.edge, action.delta);
    case "spanReplay":
      return spans.toggleReplay();
  }
}
