/**
 * Drift correction for the synced player: the right (follower) video is corrected on every frame
 * the left (leader) video presents (requestVideoFrameCallback where the browser has it,
 * requestAnimationFrame otherwise): re-seeked beyond half a frame of drift, rate-nudged below.
 */
import { correction, signedDrift } from "../lib/sync";

export type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number;
  cancelVideoFrameCallback?: (id: number) => void;
};

/** The clip timing the correction needs (a subset of the player's ClipInfo). */
export interface ClipTiming {
  fps: number;
  duration: number;
}

export interface DriftHost {
  /** The player wants both playing and is not in the middle of a loop restart. */
  shouldCorrect: () => boolean;
  /** The playback rate the annotator chose. */
  rate: () => number;
  /** Called on every leader frame, corrected or not (the player redraws its frame readout). */
  onFrame: () => void;
}

const RESYNC_COOLDOWN_MS = 200;

export class DriftCorrector {
  /** Largest drift (s) seen since the last start; the page exposes it for diagnostics. */
  maxDriftS = 0;
  private leader: FrameCallbackVideo | null = null;
  private follower: FrameCallbackVideo | null = null;
  private timing: ClipTiming = { fps: 24, duration: 0 };
  private bindings: AbortController | null = null;
  private tickHandle: number | null = null;
  private tickIsFrameCallback = false;
  private lastResyncAt = 0;
  /** Moving average of how long a follower seek takes, so resyncs land where the leader will be. */
  private seekLatency = 0.03;

  constructor(private readonly host: DriftHost) {}

  /** Start correcting a newly mounted pair (call after the player bound its own listeners). */
  start(leader: FrameCallbackVideo, follower: FrameCallbackVideo, timing: ClipTiming): void {
    this.stop();
    this.leader = leader;
    this.follower = follower;
    this.timing = timing;
    this.maxDriftS = 0;
    const ac = new AbortController();
    this.bindings = ac;
    follower.addEventListener(
      "seeked",
      () => {
        const took = (performance.now() - this.lastResyncAt) / 1000;
        if (took > 0 && took < 0.5) this.seekLatency = 0.7 * this.seekLatency + 0.3 * took;
      },
      { signal: ac.signal },
    );
    this.startTicking();
  }

  stop(): void {
    this.bindings?.abort();
    this.bindings = null;
    this.stopTicking();
    this.leader = this.follower = null;
  }

  private startTicking(): void {
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
    const { leader, follower, timing } = this;
    if (!leader || !follower) return;
    if (this.host.shouldCorrect() && !leader.paused && !follower.paused && !follower.seeking && !leader.ended && !follower.ended) {
      const rate = this.host.rate();
      const drift = signedDrift(leader.currentTime, follower.currentTime, timing.duration);
      this.maxDriftS = Math.max(this.maxDriftS, Math.abs(drift));
      const fix = correction(leader.currentTime, drift, timing.fps, rate);
      const now = performance.now();
      if (fix.kind === "seek" && now - this.lastResyncAt > RESYNC_COOLDOWN_MS) {
        this.lastResyncAt = now;
        follower.playbackRate = rate;
        const end = timing.duration || follower.duration || Number.POSITIVE_INFINITY;
        follower.currentTime = Math.min(end, fix.to + this.seekLatency * rate);
      } else if (fix.kind === "nudge") {
        follower.playbackRate = fix.rate;
      } else if (follower.playbackRate !== rate) {
        follower.playbackRate = rate;
      }
    }
    this.host.onFrame();
  }
}
