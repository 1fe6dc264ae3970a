/**
 * Pure logic of "my history": answers in the words the annotator saw (Left/Right, from the side A
 * was shown on), the edit form's body, and the time left to edit. No DOM, no i18n.
 */
import { choiceToStrength, strengthToChoice, type Choice } from "../lib/strength";
import type { Side } from "../lib/types";
import type { HistoryAnswer } from "./types";

/** The screen choice (0 Left much better … 4 Right much better) an A/B strength was shown as. */
export function screenChoice(strength: number, left: Side): Choice {
  return strengthToChoice(strength, left);
}

/** POST /api/assignments/{id}/answers/ body: only the dimensions whose answer changed; null if none. */
export function editBody(answers: HistoryAnswer[], picked: Record<string, Choice>, left: Side): { answers: { dimension: string; strength: number }[] } | null {
  const changed = answers
    .filter((a) => picked[a.dimension] !== undefined && choiceToStrength(picked[a.dimension], left) !== a.strength)
    .map((a) => ({ dimension: a.dimension, strength: choiceToStrength(picked[a.dimension], left) }));
  return changed.length ? { answers: changed } : null;
}

/** Whole minutes left until `until` (0 once it passed). */
export function minutesLeft(until: string | null, now: number = Date.now()): number {
  if (!until) return 0;
  return Math.max(0, Math.ceil((new Date(until).getTime() - now) / 60_000));
}
