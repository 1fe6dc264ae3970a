/**
 * Keyboard map of the labelling page: a pure function from a key press (and the page's mode) to an
 * action, plus the table the help overlay renders, so the help can never drift from the handler.
 */
import type { FlagReason } from "./types";
import type { MessageKey } from "./i18n";

export type Action =
  | { type: "choose"; value: 0 | 1 | 2 | 3 | 4 }
  | { type: "clear" }
  | { type: "move"; delta: 1 | -1 }
  | { type: "adjust"; delta: 1 | -1 }
  | { type: "playPause" }
  | { type: "step"; delta: 1 | -1 }
  | { type: "restart" }
  | { type: "speed"; delta: 1 | -1 }
  | { type: "loop" }
  | { type: "mute" }
  | { type: "flicker" }
  | { type: "submit" }
  | { type: "skip" }
  | { type: "flag" }
  | { type: "guidelines" }
  | { type: "help" }
  | { type: "close" }
  | { type: "confirm" }
  | { type: "flagReason"; reason: FlagReason }
  | { type: "spanIn" }
  | { type: "spanOut" }
  | { type: "spanVideo" }
  | { type: "spanNext" }
  | { type: "spanNudge"; edge: "start" | "end"; delta: 1 | -1 }
  | { type: "spanReplay" };

export type Mode = "main" | "help" | "guidelines" | "flag" | "confirmSkip" | "empty";

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

const FLAG_REASONS: Record<string, FlagReason> = { "1": "broken_video", "2": "inappropriate", "3": "other" };

const MAIN: Record<string, Action> = {
  "1": { type: "choose", value: 0 },
  "2": { type: "choose", value: 1 },
  "3": { type: "choose", value: 2 },
  "4": { type: "choose", value: 3 },
  "5": { type: "choose", value: 4 },
  Backspace: { type: "clear" },
  Delete: { type: "clear" },
  ArrowDown: { type: "move", delta: 1 },
  j: { type: "move", delta: 1 },
  ArrowUp: { type: "move", delta: -1 },
  k: { type: "move", delta: -1 },
  ArrowLeft: { type: "adjust", delta: -1 },
  ArrowRight: { type: "adjust", delta: 1 },
  " ": { type: "playPause" },
  ",": { type: "step", delta: -1 },
  ".": { type: "step", delta: 1 },
  "0": { type: "restart" },
  Home: { type: "restart" },
  "[": { type: "speed", delta: -1 },
  "]": { type: "speed", delta: 1 },
  l: { type: "loop" },
  m: { type: "mute" },
  f: { type: "flicker" },
  Enter: { type: "submit" },
  s: { type: "skip" },
  x: { type: "flag" },
  g: { type: "guidelines" },
  "?": { type: "help" },
  Escape: { type: "close" },
  // Artefact spans (issue #22): in / out as in video editors; [ ] stay the speed keys.
  i: { type: "spanIn" },
  o: { type: "spanOut" },
  v: { type: "spanVideo" },
  n: { type: "spanNext" },
  r: { type: "spanReplay" },
};

/**
 * Shift+←/→ moves the selected span's start, Shift+Alt+←/→ its end. Alt+← alone stays the
 * browser's Back; with Shift it is free in the browsers we support.
 */
function nudgeKey(ev: KeyLike): Action | null {
  if (!ev.shiftKey || (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight")) return null;
  return { type: "spanNudge", edge: ev.altKey ? "end" : "start", delta: ev.key === "ArrowLeft" ? -1 : 1 };
}

/** Player keys that still work while the guidelines drawer is open (watch while reading). */
const PLAYER_TYPES = new Set<Action["type"]>(["playPause", "step", "restart", "speed", "loop", "mute", "flicker"]);

export function resolveKey(ev: KeyLike, mode: Mode): Action | null {
  if (mode === "main" && !ev.ctrlKey && !ev.metaKey && nudgeKey(ev)) return nudgeKey(ev);
  // Leave browser and OS shortcuts (Ctrl+R, Cmd+L, Alt+←) alone.
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
  switch (mode) {
    case "help":
      return key === "Escape" || key === "?" ? { type: "close" } : null;
    case "flag":
      // 1-3 pick a reason (the note can still be typed), Enter sends: a digit never sends at once.
      if (FLAG_REASONS[key]) return { type: "flagReason", reason: FLAG_REASONS[key] };
      if (key === "Enter") return { type: "confirm" };
      return key === "Escape" || key === "x" ? { type: "close" } : null;
    case "confirmSkip":
      if (key === "Enter" || key === "s") return { type: "confirm" };
      return key === "Escape" ? { type: "close" } : null;
    case "guidelines": {
      if (key === "Escape" || key === "g") return { type: "close" };
      const action = MAIN[key];
      return action && (PLAYER_TYPES.has(action.type) || action.type === "help") ? action : null;
    }
    case "empty":
      return key === "?" ? { type: "help" } : key === "Escape" ? { type: "close" } : null;
    case "main":
      return MAIN[key] ?? null;
  }
}

export interface HelpEntry {
  keys: string[];
  label: MessageKey;
}

export interface HelpSection {
  title: MessageKey;
  entries: HelpEntry[];
}

/** What the help overlay lists; tests check it covers every key resolveKey knows. */
export const KEY_HELP: HelpSection[] = [
  {
    title: "help.answering",
    entries: [
      { keys: ["1", "2", "3", "4", "5"], label: "help.choose" },
      { keys: ["←", "→"], label: "help.adjust" },
      { keys: ["↑", "↓", "k", "j"], label: "help.move" },
      { keys: ["⌫", "Del"], label: "help.clear" },
      { keys: ["Enter"], label: "help.submit" },
      { keys: ["s"], label: "help.skip" },
      { keys: ["x"], label: "help.flag" },
    ],
  },
  {
    title: "help.playback",
    entries: [
      { keys: ["Space"], label: "help.playPause" },
      { keys: [",", "."], label: "help.step" },
      { keys: ["0", "Home"], label: "help.restart" },
      { keys: ["[", "]"], label: "help.speed" },
      { keys: ["l"], label: "help.loop" },
      { keys: ["m"], label: "help.mute" },
      { keys: ["f"], label: "help.flicker" },
    ],
  },
  {
    title: "help.spans",
    entries: [
      { keys: ["i"], label: "help.spanIn" },
      { keys: ["o"], label: "help.spanOut" },
      { keys: ["v"], label: "help.spanVideo" },
      { keys: ["n"], label: "help.spanNext" },
      { keys: ["Shift+←", "Shift+→"], label: "help.spanNudgeStart" },
      { keys: ["Shift+Alt+←", "Shift+Alt+→"], label: "help.spanNudgeEnd" },
      { keys: ["⌫", "Del"], label: "help.spanDelete" },
      { keys: ["r"], label: "help.spanReplay" },
    ],
  },
  {
    title: "help.other",
    entries: [
      { keys: ["g"], label: "help.guidelines" },
      { keys: ["?"], label: "help.help" },
      { keys: ["Esc"], label: "help.close" },
    ],
  },
];

/** Every key the main mode understands, as the help overlay spells it. */
export const HELP_SPELLING: Record<string, string> = {
  " ": "Space",
  ArrowDown: "↓",
  ArrowUp: "↑",
  ArrowLeft: "←",
  ArrowRight: "→",
  Backspace: "⌫",
  Delete: "Del",
  Escape: "Esc",
};

export const MAIN_KEYS = Object.keys(MAIN);
