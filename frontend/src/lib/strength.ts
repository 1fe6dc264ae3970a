/**
 * Screen choices ↔ API strengths.
 *
 * The row reads left to right: Left much better, Left better, Same, Right better, Right much better
 * (choice 0..4). The API speaks A/B by video id: -2 A much better … +2 B much better. When A is
 * shown on the left the two orders agree; when B is on the left they are mirrored.
 */
import type { Lease, ScreenSide, Side, VideoInfo } from "./types";

export type Choice = 0 | 1 | 2 | 3 | 4;
export type Strength = -2 | -1 | 0 | 1 | 2;
export const CHOICES: readonly Choice[] = [0, 1, 2, 3, 4];

export function choiceToStrength(choice: Choice, left: Side): Strength {
  const towardRight = choice - 2; // -2 = left much better … +2 = right much better
  // `|| 0` turns the mirrored "Same" (-0) into a plain 0.
  return ((left === "a" ? towardRight : -towardRight) || 0) as Strength;
}

export function strengthToChoice(strength: number, left: Side): Choice {
  const towardRight = left === "a" ? strength : -strength;
  return (towardRight + 2) as Choice;
}

export function isStrength(value: unknown): value is Strength {
  return typeof value === "number" && Number.isInteger(value) && value >= -2 && value <= 2;
}

export function isScore(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5;
}

/** The video shown on a screen side. */
export function videoOn(lease: Pick<Lease, "left" | "video_a" | "video_b">, side: ScreenSide): VideoInfo {
  const showA = (side === "left") === (lease.left === "a");
  return showA ? lease.video_a : lease.video_b;
}
