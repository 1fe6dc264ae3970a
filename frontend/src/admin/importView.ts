/**
 * Pure parts of the imports page: the dry run's problems grouped by cause, the processing
 * progress bar, the final summary, and when to poll next. Polling runs every second while videos
 * are pending, backs off while the tab is hidden or requests fail, and stops once none is pending.
 */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { pollDelay, type PollState } from "../lib/poll";
import type { ErrorGroup, ImportProgress, ImportReport } from "./types";

export const PROGRESS_POLL_MS = 1_000;
export const MAX_PROGRESS_POLL_MS = 30_000;
const LINES_SHOWN = 30;

/** Milliseconds until the next progress request, or null once nothing is pending. */
export function progressPollDelay(p: ImportProgress | null, s: PollState, random: () => number = Math.random): number | null {
  if (p !== null && p.pending === 0) return null;
  return pollDelay(PROGRESS_POLL_MS, s, MAX_PROGRESS_POLL_MS, random);
}

/** "3, 5, 9" — at most LINES_SHOWN numbers, then "and N more". */
export function linesText(lines: number[]): string {
  const shown = lines.slice(0, LINES_SHOWN).join(", ");
  return lines.length > LINES_SHOWN ? `${shown} ${t("adm.imports.more", { n: lines.length - LINES_SHOWN })}` : shown;
}

export function errorGroupItem(g: ErrorGroup): HTMLElement {
  return h("li", { class: "error-group", "data-field": g.field, "data-count": g.count },
    h("p", { class: "error-cause" }, h("code", {}, g.field), " ", g.example),
    h("p", { class: "error-lines muted" }, t("adm.imports.lines", { lines: linesText(g.lines) })));
}

/** The dry run's answer: every problem grouped by cause, or what the import would create. */
export function renderPreview(r: ImportReport): HTMLElement {
  const bad = r.error_groups.length > 0;
  const text = bad
    ? t("adm.imports.previewBad", { count: r.errors.length, rows: r.rows })
    : t("adm.imports.previewOk", { rows: r.rows, videos: r.videos_created, prompts: r.prompts_created, duplicates: r.duplicates_skipped });
  const paired = !bad && r.duplicates_paired > 0 ? h("p", { "data-preview": "paired" }, t("adm.imports.previewPaired", { paired: r.duplicates_paired })) : null;
  return h("section", { class: `card preview ${bad ? "preview-bad" : "preview-ok"}`, "data-card": "preview", "data-ok": String(!bad), "aria-live": "polite" },
    h("h2", {}, t("adm.imports.preview")), h("p", {}, text), paired,
    bad ? h("ul", { class: "error-groups" }, ...r.error_groups.map(errorGroupItem)) : null);
}

export function renderProgress(p: ImportProgress): HTMLElement {
  const finished = p.ready + p.failed;
  const percent = p.total ? Math.round((finished / p.total) * 100) : 100;
  const text = t("adm.imports.progressText", { ready: p.ready, failed: p.failed, pending: p.pending, total: p.total });
  return h("section", { class: "card", "data-card": "progress", "data-pending": p.pending },
    h("h2", {}, t("adm.imports.progress")),
    h("div", { class: "progress", role: "progressbar", "aria-label": t("adm.imports.progress"), "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent, "aria-valuetext": text },
      h("div", { class: "progress-fill", style: `width: ${percent}%` })),
    h("p", { class: "muted" }, text),
    p.pending === 0 ? h("p", { class: "done" }, t("adm.imports.done")) : null);
}

/** Videos already in the studio are not stored again; with a campaign they still join its pairs. */
export function duplicatesKey(r: Pick<ImportReport, "duplicates_paired">): "adm.imports.duplicates" | "adm.imports.duplicatesPaired" {
  return r.duplicates_paired > 0 ? "adm.imports.duplicatesPaired" : "adm.imports.duplicates";
}

export function renderSummary(r: ImportReport, p: ImportProgress | null): HTMLElement {
  const failed = p?.failed ?? 0;
  const item = (key: "adm.imports.imported" | "adm.imports.duplicates" | "adm.imports.duplicatesPaired" | "adm.imports.failed" | "adm.imports.pairs" | "adm.imports.prompts", value: number, name: string) =>
    [h("dt", {}, t(key)), h("dd", { "data-summary": name }, value)];
  return h("section", { class: "card", "data-card": "summary" },
    h("h2", {}, t("adm.imports.summary")),
    h("dl", { class: "facts" },
      ...item("adm.imports.imported", r.videos_created - failed, "imported"),
      ...item(duplicatesKey(r), r.duplicates_skipped, "duplicates"),
      ...item("adm.imports.failed", failed, "failed"),
      ...item("adm.imports.prompts", r.prompts_created, "prompts"),
      ...item("adm.imports.pairs", r.pairs_created, "pairs")),
    p?.failures.length ? h("ul", { class: "failures" }, ...p.failures.map((f) => h("li", {}, t("adm.imports.failure", { name: f.source_name || `#${f.video}`, reason: `${f.reason} [${f.code}]` })))) : null);
}
