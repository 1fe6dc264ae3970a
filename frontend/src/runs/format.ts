/** Pure formatting and state helpers of the run pages (no DOM, no i18n lookups: Vitest checks them). */
import { pollDelay, type PollState } from "../lib/poll";
import type { Run } from "./types";

export const FINAL_STATES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

export const isFinal = (state: string): boolean => FINAL_STATES.has(state);
export const isActive = (state: string): boolean => state === "queued" || state === "running";

/* The run pages' polling pace (lib/poll.ts slows it while the tab is hidden or requests fail). */
export const RUN_POLL_MS = 2_000;
export const LIST_ACTIVE_POLL_MS = 5_000;
export const LIST_IDLE_POLL_MS = 30_000;

/** Milliseconds until the run page's next poll, or null: the run is final, stop polling. */
export function runPollDelay(state: string | null, s: PollState, random: () => number = Math.random): number | null {
  if (state !== null && isFinal(state)) return null;
  return pollDelay(RUN_POLL_MS, s, undefined, random);
}

/** Milliseconds until a list's next poll (runs, dataset builds): fast while one is queued or running. */
export function listPollDelay(anyActive: boolean, s: PollState, random: () => number = Math.random): number {
  return pollDelay(anyActive ? LIST_ACTIVE_POLL_MS : LIST_IDLE_POLL_MS, s, undefined, random);
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A GAPO run's frame weighting, read from its stored config (GapoConfig.frame_weighting): "segments" is
 * dense GAPO, with its dense_beta; null for other kinds (they weigh no frames). */
export function frameWeighting(run: Pick<Run, "kind" | "config">): { mode: string; dense: boolean; beta: number | null } | null {
  if (run.kind !== "gapo") return null;
  const config = run.config ?? {};
  const mode = typeof config.frame_weighting === "string" && config.frame_weighting ? config.frame_weighting : "none";
  const dense = mode === "segments";
  return { mode, dense, beta: dense && finite(config.dense_beta) ? config.dense_beta : null };
}

export const pct = (v: number | null | undefined, digits = 1): string => (finite(v) ? `${(v * 100).toFixed(digits)}%` : "—");
export const num = (v: number | null | undefined, digits = 3): string => (finite(v) ? v.toFixed(digits) : "—");

/** Signed, for deltas: "+0.042" / "−0.013" (a real minus sign, so it reads as one). */
export function signed(v: number | null | undefined, digits = 3): string {
  if (!finite(v)) return "—";
  const text = Math.abs(v).toFixed(digits);
  // A delta that rounds to zero has no sign: "+0.000" / "−0.000" read as a change.
  if (Number(text) === 0) return text;
  return v > 0 ? `+${text}` : `\u2212${text}`;
}

/** A delta's 95% interval as "[−0.012, +0.034]", or "—" without bounds. */
export function interval(low: number | null | undefined, high: number | null | undefined, digits = 3): string {
  return finite(low) && finite(high) ? `[${signed(low, digits)}, ${signed(high, digits)}]` : "—";
}

/** Up/down/flat class of a delta: coloured only when its interval excludes zero (else it is noise). */
export function deltaClass(delta: number | null, low: number | null, high: number | null, digits = 3): string {
  if (!finite(delta) || !finite(low) || !finite(high)) return "";
  if (Number(Math.abs(delta).toFixed(digits)) === 0) return ""; // shown as 0.000: neutral whatever the interval
  return low > 0 ? "up" : high < 0 ? "down" : "";
}

/** Progress in 0..1: a finished-successful run is full; otherwise the server's value, clamped. */
export function progressOf(run: Pick<Run, "state" | "progress" | "step" | "total_steps">): number {
  if (run.state === "succeeded") return 1;
  if (finite(run.progress)) return Math.min(1, Math.max(0, run.progress));
  return run.total_steps ? Math.min(1, run.step / run.total_steps) : 0;
}

/** "step / total" or just the step when the total is unknown (scoring runs). */
export function stepText(run: Pick<Run, "step" | "total_steps">): string {
  return run.total_steps ? `${run.step} / ${run.total_steps}` : String(run.step);
}

/** Whole seconds since `iso` (never negative: a server clock slightly ahead reads as 0), or null. */
export function ageSeconds(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return null;
  return Math.max(0, Math.floor((now - then) / 1000));
}

/** Compact, language-neutral duration: "8 s", "3 min", "2 h 5 min", "3 d". */
export function durationText(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** A running run whose heartbeat is older than this looks stuck (the reaper re-queues it later). */
export const HEARTBEAT_WARN_S = 60;

export function heartbeatIsLate(run: Pick<Run, "state" | "heartbeat_at">, now: number): boolean {
  const age = ageSeconds(run.heartbeat_at, now);
  return run.state === "running" && age !== null && age > HEARTBEAT_WARN_S;
}

/** Wall time of a run: start to finish, or start to now while it runs. */
export function elapsedSeconds(run: Pick<Run, "started_at" | "finished_at">, now: number): number | null {
  const start = ageSeconds(run.started_at, now);
  if (start === null) return null;
  const end = run.finished_at ? ageSeconds(run.finished_at, now) : 0;
  return end === null ? null : Math.max(0, start - end);
}

/** A run's error as its message (the last line of a traceback, else the first line) and the rest. */
export function splitError(error: string): { message: string; details: string } {
  const text = error.trim();
  const lines = text.split("\n");
  const traceback = lines.findIndex((l) => l.startsWith("Traceback (most recent call last)"));
  if (traceback < 0) return { message: lines[0], details: lines.slice(1).join("\n").trim() };
  const first = lines.slice(0, traceback).join(" ").trim();
  const last = [...lines].reverse().find((l) => /^[A-Za-z_.]+(Error|Exception|Failure|Interrupt)\b/.test(l.trim()));
  return { message: first || (last ?? lines[0]).trim(), details: text };
}
