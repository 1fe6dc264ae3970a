/**
 * Clock math for two videos that share one timeline. Pure functions; player.ts applies them.
 *
 * The left video leads. On every frame the leader presents, the follower's drift is measured;
 * beyond half a frame the follower is re-seeked to the leader, a smaller drift is absorbed by
 * nudging its playback rate for a moment (no visible jump).
 */

export const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2] as const;
export const RESYNC_FRAMES = 0.5;
export const NUDGE_FRAMES = 0.15;
export const MAX_NUDGE = 0.1;

export function frameDuration(fps: number): number {
  return 1 / (fps > 0 ? fps : 24);
}

/** The frame shown at media time t (frames start at k/fps). */
export function timeToFrame(t: number, fps: number, frameCount?: number): number {
  const frame = Math.floor(t * fps + 1e-6);
  const last = frameCount && frameCount > 0 ? frameCount - 1 : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(last, frame));
}

/** Where to seek to show frame k: its middle, so rounding in either decoder lands on the same frame. */
export function frameToTime(frame: number, fps: number, frameCount?: number): number {
  const last = frameCount && frameCount > 0 ? frameCount - 1 : Number.POSITIVE_INFINITY;
  const k = Math.max(0, Math.min(last, Math.round(frame)));
  return (k + 0.5) / fps;
}

/**
 * follower − leader in seconds. With a duration (looping), the shorter way round the loop:
 * 2.95 s vs 0.02 s of a 3 s clip is 0.07 s apart, not 2.93 s.
 */
export function signedDrift(leaderT: number, followerT: number, duration?: number): number {
  let d = followerT - leaderT;
  if (duration && duration > 0) {
    d = ((((d + duration / 2) % duration) + duration) % duration) - duration / 2;
  }
  return d;
}

export type Correction = { kind: "none" } | { kind: "nudge"; rate: number } | { kind: "seek"; to: number };

/**
 * What to do with the follower given its drift (seconds) and the shared rate.
 * A follower that is ahead (drift > 0) is slowed down, one behind is sped up.
 */
export function correction(leaderT: number, driftS: number, fps: number, rate: number): Correction {
  const frames = Math.abs(driftS) / frameDuration(fps);
  if (frames > RESYNC_FRAMES) return { kind: "seek", to: leaderT };
  if (frames > NUDGE_FRAMES) {
    const nudge = Math.min(MAX_NUDGE, frames * 0.1);
    return { kind: "nudge", rate: rate * (driftS > 0 ? 1 - nudge : 1 + nudge) };
  }
  return { kind: "none" };
}

export function nextSpeed(current: number, delta: 1 | -1): number {
  let i = SPEEDS.findIndex((s) => Math.abs(s - current) < 1e-9);
  if (i < 0) i = SPEEDS.indexOf(1);
  return SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + delta))];
}

/** fps to use when the probe did not record one: frames over duration, else 24. */
export function effectiveFps(fps: number | null | undefined, frameCount?: number | null, duration?: number | null): number {
  if (fps && fps > 0) return fps;
  if (frameCount && duration && duration > 0) return frameCount / duration;
  return 24;
}
