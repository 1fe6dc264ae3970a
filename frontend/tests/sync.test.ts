import { describe, expect, it } from "vitest";
import { MAX_NUDGE, SPEEDS, correction, effectiveFps, frameToTime, nextSpeed, signedDrift, timeToFrame } from "../src/lib/sync";

describe("shared clock math", () => {
  it("maps frames to the middle of their interval and back", () => {
    for (let f = 0; f < 36; f++) expect(timeToFrame(frameToTime(f, 12), 12)).toBe(f);
    expect(frameToTime(0, 12)).toBeCloseTo(1 / 24);
    expect(frameToTime(99, 12, 36)).toBeCloseTo(35.5 / 12); // clamped to the last frame
    expect(timeToFrame(10, 12, 36)).toBe(35);
    expect(timeToFrame(-1, 12)).toBe(0);
    expect(timeToFrame(1 / 12, 12)).toBe(1); // exactly on a boundary: the new frame
  });

  it("measures drift the short way round a loop", () => {
    expect(signedDrift(1.0, 1.05)).toBeCloseTo(0.05);
    expect(signedDrift(1.0, 0.9)).toBeCloseTo(-0.1);
    expect(signedDrift(2.95, 0.02, 3)).toBeCloseTo(0.07);
    expect(signedDrift(0.02, 2.95, 3)).toBeCloseTo(-0.07);
    expect(signedDrift(0.5, 1.9, 3)).toBeCloseTo(1.4);
  });

  it("leaves sub-0.15-frame drift alone, nudges the rate up to half a frame, re-seeks beyond", () => {
    const fps = 12; // one frame = 83.3 ms
    expect(correction(1, 0.01, fps, 1)).toEqual({ kind: "none" });
    const ahead = correction(1, 0.03, fps, 1); // 0.36 frame ahead → slow down
    expect(ahead.kind).toBe("nudge");
    if (ahead.kind === "nudge") {
      expect(ahead.rate).toBeLessThan(1);
      expect(ahead.rate).toBeGreaterThanOrEqual(1 - MAX_NUDGE);
    }
    const behind = correction(1, -0.03, fps, 2);
    expect(behind.kind === "nudge" && behind.rate > 2).toBe(true);
    expect(correction(1.5, 0.05, fps, 1)).toEqual({ kind: "seek", to: 1.5 }); // 0.6 frame
    expect(correction(1.5, -0.05, fps, 1)).toEqual({ kind: "seek", to: 1.5 });
  });

  it("keeps speed within 0.25×–2×", () => {
    expect(SPEEDS[0]).toBe(0.25);
    expect(SPEEDS.at(-1)).toBe(2);
    expect(nextSpeed(1, 1)).toBe(1.25);
    expect(nextSpeed(2, 1)).toBe(2);
    expect(nextSpeed(0.25, -1)).toBe(0.25);
    expect(nextSpeed(0.33, -1)).toBe(0.75); // unknown speed: from 1×
  });

  it("derives fps when the probe has none", () => {
    expect(effectiveFps(12, 36, 3)).toBe(12);
    expect(effectiveFps(null, 48, 2)).toBe(24);
    expect(effectiveFps(0, null, null)).toBe(24);
  });
});
