/**
 * Answers in progress, saved to localStorage on every change, one entry per assignment, so a
 * reload, a crash or a closed tab resumes the pair exactly where it was. Stored in A/B terms
 * (strengths, ratings and spans by video id), which do not depend on the screen side.
 */
import { keysWithPrefix, readJson, type KV } from "./storage";
import type { Span } from "./types";

export interface Draft {
  v: 1;
  assignment: number;
  /** dimension key → strength -2..2 (A/B terms). */
  strengths: Record<string, number>;
  /** `${videoId}:${dimensionKey}` → score 1..5. */
  ratings: Record<string, number>;
  /** Artefact spans marked so far (optional; A/B video ids). */
  spans: Span[];
  /** Index of the focused answer row. */
  focus: number;
  /** Milliseconds spent on the pair in earlier page loads (time_spent_ms survives reloads). */
  spentMs: number;
  savedAt: number;
}

export const DRAFT_PREFIX = "ars.draft.v1.";
export const DRAFT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export function emptyDraft(assignment: number, now: number): Draft {
  return { v: 1, assignment, strengths: {}, ratings: {}, spans: [], focus: 0, spentMs: 0, savedAt: now };
}

export class DraftStore {
  constructor(
    private readonly storage: KV,
    private readonly now: () => number = Date.now,
  ) {}

  load(assignment: number): Draft {
    const draft = readJson<Draft | null>(this.storage, DRAFT_PREFIX + assignment, null);
    if (!draft || draft.v !== 1 || draft.assignment !== assignment) return emptyDraft(assignment, this.now());
    return { ...emptyDraft(assignment, this.now()), ...draft };
  }

  save(draft: Draft): void {
    try {
      this.storage.setItem(DRAFT_PREFIX + draft.assignment, JSON.stringify({ ...draft, savedAt: this.now() }));
    } catch {
      this.prune(0); // quota: drop every other draft and try once more
      this.storage.setItem(DRAFT_PREFIX + draft.assignment, JSON.stringify({ ...draft, savedAt: this.now() }));
    }
  }

  clear(assignment: number): void {
    this.storage.removeItem(DRAFT_PREFIX + assignment);
  }

  /** Forget drafts older than maxAgeMs (their leases are long gone). Returns how many were removed. */
  prune(maxAgeMs = DRAFT_MAX_AGE_MS, keep?: number): number {
    let removed = 0;
    for (const key of keysWithPrefix(this.storage, DRAFT_PREFIX)) {
      const draft = readJson<Draft | null>(this.storage, key, null);
      if (keep !== undefined && draft?.assignment === keep) continue;
      if (!draft || this.now() - (draft.savedAt ?? 0) >= maxAgeMs) {
        this.storage.removeItem(key);
        removed++;
      }
    }
    return removed;
  }
}
