/**
 * Pure logic of the adjudication panel (no DOM, no i18n): strength words, the crowd's consensus
 * per dimension, the POST body, and the queue rows a reviewer has just settled. Strengths are in
 * A/B terms as everywhere in the API: -2 A much better … +2 B much better.
 */

export type Strength = -2 | -1 | 0 | 1 | 2;
export const STRENGTHS: readonly Strength[] = [-2, -1, 0, 1, 2];

/** The message key of a strength's words ("A much better" … "B much better"). */
export type StrengthKey = "review.adj.s-2" | "review.adj.s-1" | "review.adj.s0" | "review.adj.s1" | "review.adj.s2";

export function strengthKey(strength: number): StrengthKey {
  if (!STRENGTHS.includes(strength as Strength)) throw new RangeError(`strength must be -2..2, got ${strength}`);
  return `review.adj.s${strength}` as StrengthKey;
}

export interface QueueAnswer {
  assignment: number;
  annotator: { id: number; username: string };
  paused: boolean;
  a_on_left: boolean;
  time_spent_ms: number | null;
  strengths: Record<string, number>;
}

export interface QueueAdjudication {
  dimension: string;
  strength: number;
  reviewer: string;
  note: string;
  updated_at?: string;
}

export interface QueueDispute {
  dimension: string;
  reason: string;
  std: number;
  mean_strength?: number;
  direction?: string;
}

/** One review-queue item as GET …/quality/review-queue/ returns it (selectors/quality_review.py). */
export interface QueueItem {
  pair: number;
  score: number;
  disputes: QueueDispute[];
  video_a?: { id: number; url: string };
  video_b?: { id: number; url: string };
  prompt?: { id?: number; text: string; initial_image_url?: string };
  answers?: QueueAnswer[];
  adjudications?: QueueAdjudication[];
}

/** The same band as `annotation.quality.consensus.DEFAULT_TIE_BAND`: |mean| below it is a tie. */
export const TIE_BAND = 0.5;

export interface Consensus {
  votes: number;
  mean: number;
  direction: "a" | "b" | "tie";
  nA: number;
  nB: number;
  nTie: number;
}

/**
 * The crowd's answer on one dimension from the answers that count (paused annotators do not),
 * by the server's rule (`summarize_strengths`): a tie when |mean| < 0.5 or as many say A as B.
 * null when nobody answered.
 */
export function consensusOf(answers: QueueAnswer[], dimension: string): Consensus | null {
  const strengths = answers.filter((a) => !a.paused && typeof a.strengths[dimension] === "number").map((a) => a.strengths[dimension]);
  if (!strengths.length) return null;
  const nA = strengths.filter((s) => s < 0).length;
  const nB = strengths.filter((s) => s > 0).length;
  const mean = strengths.reduce((sum, s) => sum + s, 0) / strengths.length;
  const direction = Math.abs(mean) < TIE_BAND || nA === nB ? "tie" : mean < 0 ? "a" : "b";
  return { votes: strengths.length, mean, direction, nA, nB, nTie: strengths.length - nA - nB };
}

/** The nearest strength to a mean, for showing a consensus in the same words as the answers. */
export function nearestStrength(mean: number): Strength {
  const rounded = Math.max(-2, Math.min(2, Math.round(mean)));
  return (rounded === 0 ? 0 : rounded) as Strength;
}

/** The form's starting choices: an earlier adjudication where there is one, else nothing. */
export function initialChoices(item: QueueItem, dimensions: string[]): Record<string, Strength | null> {
  const earlier = new Map((item.adjudications ?? []).map((a) => [a.dimension, a.strength]));
  return Object.fromEntries(dimensions.map((d) => [d, earlier.has(d) ? (earlier.get(d) as Strength) : null]));
}

export interface AdjudicateBody {
  answers: { dimension: string; strength: Strength }[];
  note: string;
}

/** POST /api/pairs/{id}/adjudicate/ body: only the dimensions the reviewer chose; null if none. */
export function adjudicationBody(choices: Record<string, Strength | null>, note: string, order: string[]): AdjudicateBody | null {
  const answers = order.filter((d) => choices[d] !== null && choices[d] !== undefined).map((d) => ({ dimension: d, strength: choices[d] as Strength }));
  return answers.length ? { answers, note: note.trim() } : null;
}

/** A pair the reviewer settled on this page, and where its row stood when they did. */
export interface Settled {
  item: QueueItem;
  adjudications: QueueAdjudication[];
  index: number;
}

export interface QueueRow {
  item: QueueItem;
  adjudicated: QueueAdjudication[] | null;
}

/**
 * The queue as the page lists it: the server's rows, with the pairs settled here kept at their
 * old place and marked, so a row does not vanish from under the reviewer's eyes once they save
 * (the server drops an adjudicated pair from the queue at once).
 */
export function queueRows(results: QueueItem[], settled: Settled[]): QueueRow[] {
  const done = new Map(settled.map((s) => [s.item.pair, s]));
  const rows: QueueRow[] = results.map((item) => ({ item, adjudicated: done.get(item.pair)?.adjudications ?? null }));
  const listed = new Set(results.map((item) => item.pair));
  for (const s of [...settled].sort((x, y) => x.index - y.index)) {
    if (listed.has(s.item.pair)) continue;
    rows.splice(Math.min(s.index, rows.length), 0, { item: s.item, adjudicated: s.adjudications });
  }
  return rows;
}

/** Annotators who answered, in a stable order (by username), for the answers table's columns. */
export function answerColumns(item: QueueItem): QueueAnswer[] {
  return [...(item.answers ?? [])].sort((a, b) => a.annotator.username.localeCompare(b.annotator.username) || a.assignment - b.assignment);
}
