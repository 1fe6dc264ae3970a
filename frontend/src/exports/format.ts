/** Pure helpers of the exports page: which versions are still moving, sizes, the archive URL. */
import type { ArchiveKind, DatasetVersion } from "./types";

export function isBuilding(v: Pick<DatasetVersion, "status">): boolean {
  return v.status === "queued" || v.status === "building";
}

export function percent(v: Pick<DatasetVersion, "status" | "progress">): number {
  if (v.status === "ready") return 100;
  return Math.round(100 * (v.progress.fraction ?? 0));
}

export function archiveUrl(apiRoot: string, id: number, kind: ArchiveKind): string {
  return `${apiRoot}datasets/${id}/archive/?kind=${encodeURIComponent(kind)}`;
}

export function humanBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i += 1;
  }
  return `${i === 0 ? value : value.toFixed(1)} ${units[i]}`;
}

/** Rows per table, "train 12 · test 4", in a stable table order. */
export function rowCountText(counts: Record<string, number> | undefined): string {
  if (!counts) return "—";
  return Object.entries(counts).map(([split, n]) => `${split} ${n}`).join(" · ") || "—";
}

export function totalSize(v: Pick<DatasetVersion, "files">): number {
  return v.files.reduce((sum, f) => sum + f.size_bytes, 0);
}
