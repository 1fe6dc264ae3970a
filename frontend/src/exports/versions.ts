/** The versions table and one version's card: status, progress, hash, row counts, files, download. */
import { h } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { card, empty, formatTime, table } from "../runs/widgets";
import { archiveUrl, humanBytes, isBuilding, percent, rowCountText, totalSize } from "./format";
import { ARCHIVE_KINDS, type ArchiveKind, type DatasetVersion } from "./types";

const STATUS_MARK: Record<string, string> = { queued: "◷", building: "▶", ready: "✓", failed: "✕" };
const STATUS_CLASS: Record<string, string> = { queued: "queued", building: "running", ready: "succeeded", failed: "failed" };

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge state state-${STATUS_CLASS[status] ?? status}`, "data-status": status },
    `${STATUS_MARK[status] ?? "●"} ${t(`exports.status.${status}` as MessageKey)}`);
}

export function progress(v: DatasetVersion): HTMLElement {
  const value = percent(v);
  const state = STATUS_CLASS[v.status] ?? v.status;
  const text = v.status === "failed" ? t("exports.status.failed") : `${value}%`;
  return h("div", { class: `progress progress-${state}`, role: "progressbar", "aria-label": t("exports.progress"), "aria-valuemin": 0,
    "aria-valuemax": 100, "aria-valuenow": value, "aria-valuetext": `${text} (${v.progress.rows_written} / ${v.progress.rows_total})` },
  h("div", { class: "progress-fill", style: `width: ${value}%` }), h("span", { class: "progress-text" }, text));
}

export function versionsTable(versions: DatasetVersion[], selected: number | null, onSelect: (id: number) => void): HTMLElement {
  if (versions.length === 0) return empty(t("exports.none"));
  const open = (v: DatasetVersion) =>
    h("button", { type: "button", class: "linkbtn", "aria-pressed": String(v.id === selected), "data-version": v.id, onclick: () => onSelect(v.id) },
      `#${v.id}${v.name ? ` ${v.name}` : ""}`);
  return table(
    [t("exports.col.version"), t("exports.col.status"), t("exports.col.progress"), t("exports.col.hash"), t("exports.col.created")],
    versions.map((v) => [open(v), statusBadge(v.status), h("span", { class: "progress-cell" }, progress(v)),
      h("code", { title: v.sha256 }, v.sha256 ? v.sha256.slice(0, 12) : "—"), formatTime(v.created_at)]),
    { caption: t("exports.listTitle") },
  );
}

function downloadRow(v: DatasetVersion, apiRoot: string, kind: ArchiveKind, onKind: (k: ArchiveKind) => void): HTMLElement {
  const select = h("select", { id: "archive-kind", class: "select" }, ...ARCHIVE_KINDS.map((k) => h("option", { value: k, selected: k === kind }, k)));
  select.addEventListener("change", () => onKind(select.value as ArchiveKind));
  return h("p", { class: "actions-row" },
    h("label", { for: "archive-kind" }, t("exports.archiveKind")), select,
    h("a", { class: "btn btn-primary", href: archiveUrl(apiRoot, v.id, kind), download: "", "data-action": "download" },
      t("exports.download", { size: humanBytes(totalSize(v)) })));
}

/** What the card's controls do: change the archive kind, build a failed version again. */
export interface CardActions {
  onKind: (k: ArchiveKind) => void;
  onBuildAgain: (v: DatasetVersion) => void;
}

export function versionCard(v: DatasetVersion, readme: string | null, apiRoot: string, kind: ArchiveKind, actions: CardActions): HTMLElement {
  const facts = h("dl", { class: "facts" },
    h("dt", {}, t("exports.col.status")), h("dd", {}, statusBadge(v.status)),
    h("dt", {}, t("exports.col.hash")), h("dd", {}, h("code", { "data-hash": "" }, v.sha256 || "—")),
    h("dt", {}, t("exports.col.created")), h("dd", {}, `${formatTime(v.created_at)} · ${v.created_by ?? "—"}`),
    ...Object.entries(v.row_counts ?? {}).flatMap(([table, counts]) => [h("dt", {}, table), h("dd", {}, rowCountText(counts))]));
  const ready = v.status === "ready";
  return card(
    "version",
    t("exports.versionTitle", { id: v.id }),
    v.status === "failed" && v.error ? h("p", { class: "notice", role: "alert" }, v.error) : null,
    v.status === "failed"
      ? h("p", { class: "actions-row" }, h("button", { type: "button", class: "btn", "data-action": "build-again", onclick: () => actions.onBuildAgain(v) }, t("exports.buildAgain")))
      : null,
    isBuilding(v) ? h("div", { class: "status-row" }, progress(v)) : null,
    facts,
    ready ? downloadRow(v, apiRoot, kind, actions.onKind) : null,
    ready ? h("details", { class: "latest" }, h("summary", {}, t("exports.files", { n: v.files.length })),
      table([t("exports.col.path"), t("exports.col.rows"), t("exports.col.size")],
        v.files.map((f) => [h("a", { href: f.url }, f.path), String(f.rows), humanBytes(f.size_bytes)]), { numeric: [1, 2] })) : null,
    ready ? h("h3", {}, t("exports.card")) : null,
    ready ? h("pre", { class: "log dataset-card", tabindex: 0 }, readme ?? t("exports.cardLoading")) : null,
  );
}
