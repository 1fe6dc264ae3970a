// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { renderPreview, renderProgress, renderSummary } from "../src/admin/importView";
import type { ImportProgress, ImportReport } from "../src/admin/types";
import { versionCard, versionsTable } from "../src/exports/versions";
import type { DatasetVersion } from "../src/exports/types";
import { t } from "../src/lib/i18n";

const version = (id: number, status: string, overrides: Partial<DatasetVersion> = {}): DatasetVersion => ({
  id, name: "", status, progress: { rows_written: 40, rows_total: 100, fraction: 0.4 }, error: "", description: {},
  row_counts: {}, sha256: "", files: [], created_by: "carol", created_at: "2026-01-01T00:00:00Z", finished_at: null, ...overrides,
});

const report = (overrides: Partial<ImportReport> = {}): ImportReport => ({
  prompts_created: 2, videos_created: 10, duplicates_skipped: 1, duplicates_paired: 0, pairs_created: 20,
  errors: [], error_groups: [], dry_run: true, rows: 11, video_ids: [], ...overrides,
});

describe("exports views", () => {
  it("lists versions with status and progress, the selected one pressed", () => {
    const picked: number[] = [];
    const table = versionsTable([version(1, "ready", { progress: { rows_written: 100, rows_total: 100, fraction: 1 }, sha256: "ab".repeat(32) }), version(2, "building")], 2, (id) => picked.push(id));
    const buttons = [...table.querySelectorAll<HTMLButtonElement>("[data-version]")];
    expect(buttons.map((b) => b.getAttribute("aria-pressed"))).toEqual(["false", "true"]);
    expect([...table.querySelectorAll("[data-status]")].map((b) => b.getAttribute("data-status"))).toEqual(["ready", "building"]);
    expect(table.querySelector("tbody tr:nth-child(2) [role=progressbar]")?.getAttribute("aria-valuenow")).toBe("40");
    expect(table.querySelector("tbody code")?.textContent).toBe("abababababab");
    buttons[0].click();
    expect(picked).toEqual([1]);
    expect(versionsTable([], null, () => undefined).textContent).toBe(t("exports.none"));
  });

  it("offers the download only when ready, and building again only when failed", () => {
    const rebuilt: number[] = [];
    const actions = { onKind: () => undefined, onBuildAgain: (v: DatasetVersion) => rebuilt.push(v.id) };
    const ready = versionCard(version(3, "ready", { files: [{ path: "README.md", format: "md", table: "", split: "", rows: 0, size_bytes: 10, sha256: "", url: "/f/readme" }] }), "# card", "/api/", "tar.gz", actions);
    expect(ready.querySelector("[data-action=download]")?.getAttribute("href")).toBe("/api/datasets/3/archive/?kind=tar.gz");
    // the archive is compressed; the size shown is the files' (unpacked), and the label says so
    expect(ready.querySelector("[data-action=download]")?.textContent).toContain("unpacked");
    expect(ready.querySelector(".dataset-card")?.textContent).toBe("# card");
    expect(ready.querySelector("[data-action=build-again]")).toBeNull();
    const failed = versionCard(version(4, "failed", { error: "disk full" }), null, "/api/", "zip", actions);
    expect(failed.querySelector("[role=alert]")?.textContent).toBe("disk full");
    expect(failed.querySelector("[data-action=download]")).toBeNull();
    failed.querySelector<HTMLButtonElement>("[data-action=build-again]")!.click();
    expect(rebuilt).toEqual([4]);
  });
});

describe("imports views", () => {
  it("groups a dry run's problems by cause, or says what the import would create", () => {
    const bad = renderPreview(report({ errors: [{ line: 3, field: "video", message: "missing" }], error_groups: [{ field: "video", cause: "missing", example: "file not found", lines: [3, 5], count: 2 }] }));
    expect(bad.dataset.ok).toBe("false");
    expect(bad.querySelector(".error-group")?.getAttribute("data-count")).toBe("2");
    expect(bad.querySelector(".error-lines")?.textContent).toContain("3, 5");
    const ok = renderPreview(report({ duplicates_paired: 1 }));
    expect(ok.dataset.ok).toBe("true");
    expect(ok.querySelector("[data-preview=paired]")).not.toBeNull();
  });

  it("shows processing as a bar, done once nothing is pending", () => {
    const running: ImportProgress = { total: 10, pending: 4, ready: 5, failed: 1, failures: [] };
    const bar = renderProgress(running);
    expect(bar.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("60");
    expect(bar.querySelector(".done")).toBeNull();
    expect(renderProgress({ ...running, pending: 0, ready: 9 }).querySelector(".done")?.textContent).toBe(t("adm.imports.done"));
  });

  it("sums up what was imported, failures named by their source", () => {
    const p: ImportProgress = { total: 10, pending: 0, ready: 9, failed: 1, failures: [{ video: 8, source_name: "clip8.mp4", code: "decode", reason: "broken" }] };
    const summary = renderSummary(report(), p);
    const value = (name: string) => summary.querySelector(`[data-summary=${name}]`)?.textContent;
    expect([value("imported"), value("duplicates"), value("failed"), value("prompts"), value("pairs")]).toEqual(["9", "1", "1", "2", "20"]);
    expect(summary.querySelector(".failures li")?.textContent).toContain("clip8.mp4");
  });
});
