import { describe, expect, it } from "vitest";
import { formChanged, formValues, numberValue, toPayload } from "../src/admin/campaignForm";
import { defaultManifest } from "../src/admin/imports";
import { linesText, MAX_PROGRESS_POLL_MS, PROGRESS_POLL_MS, progressPollDelay } from "../src/admin/importView";
import type { CampaignSettings } from "../src/admin/types";
import { createApi } from "../src/lib/api";
import type { Dimension } from "../src/lib/types";

const DIMS: Dimension[] = [
  { key: "smoothness", group: "appearance", name: "Visual smoothness", definition: "No flicker.", guideline: "Watch twice.", order: 1 },
  { key: "motion", group: "appearance", name: "Visual motion", definition: "It moves.", guideline: "", order: 2 },
];

const CAMPAIGN: CampaignSettings = {
  id: 7, name: "Spring", slug: "spring", protocol: "both", status: "active", overlap: 2, lease_ttl_seconds: 300,
  gold_rate: 0.1, qualification_gold_count: 2, min_gold_accuracy: 0.7, min_gold_answers: 4, selection_policy: "uncertainty",
  adaptive_overlap: true, adaptive_min_votes: 2, pairing: "budget", pair_budget_per_prompt: 4, edit_window_minutes: 30, instructions: "Look closely.",
  dimensions: [DIMS[1]], pairs: 12, created_at: "2026-12-07T06:00:00Z",
};

describe("campaign form values", () => {
  it("starts a new campaign from the model's defaults with every dimension chosen", () => {
    const v = formValues(null, DIMS);
    expect(v.dimensions).toEqual(["smoothness", "motion"]);
    expect([v.status, v.overlap, v.lease_ttl_seconds, v.pairing, v.pair_budget_per_prompt]).toEqual(["draft", "3", "600", "all", ""]);
    expect(v.edit_window_minutes).toBe("60"); // the service's default
  });

  it("sends the answer edit window as a number, 0 (no edits) included, and leaves bad text to the server", () => {
    const body = (text: string) => toPayload({ ...formValues(CAMPAIGN, DIMS), edit_window_minutes: text }).edit_window_minutes;
    expect([body("0"), body(" 90 "), body("1.5"), body("")]).toEqual([0, 90, "1.5", null]);
  });

  it("round-trips a campaign into the API body with numbers as numbers", () => {
    const body = toPayload(formValues(CAMPAIGN, DIMS), { smoothness: "Watch twice.", motion: "" });
    expect(body).toMatchObject({ name: "Spring", overlap: 2, gold_rate: 0.1, pair_budget_per_prompt: 4, edit_window_minutes: 30, dimensions: ["motion"], adaptive_overlap: true });
    expect(body.guidelines).toEqual({}); // untouched guidelines are not sent: they are shared by campaigns
  });

  it("sends only edited guidelines of chosen dimensions, and no budget unless pairing is 'budget'", () => {
    const v = { ...formValues(CAMPAIGN, DIMS), pairing: "all", guidelines: { smoothness: "changed", motion: "new text" } };
    const body = toPayload(v, { smoothness: "Watch twice.", motion: "" });
    expect(body.guidelines).toEqual({ motion: "new text" });
    expect(body.pair_budget_per_prompt).toBeNull();
  });

  it("leaves text that is not a number for the server to name", () => {
    expect(numberValue(" 3 ", true)).toBe(3);
    expect(numberValue("2.5", true)).toBe("2.5");
    expect(numberValue("0.25", false)).toBe(0.25);
    expect(numberValue("three", false)).toBe("three");
    expect(numberValue("", true)).toBeNull();
  });
});

describe("import progress", () => {
  const progress = (pending: number) => ({ total: 6, pending, ready: 6 - pending, failed: 0, failures: [] });

  it("polls every second while videos are pending and stops when none is", () => {
    expect(progressPollDelay(null, { hiddenPolls: 0, failures: 0 })).toBe(PROGRESS_POLL_MS);
    expect(progressPollDelay(progress(3), { hiddenPolls: 0, failures: 0 })).toBe(PROGRESS_POLL_MS);
    expect(progressPollDelay(progress(0), { hiddenPolls: 0, failures: 0 })).toBeNull();
  });

  it("backs off while the tab is hidden or requests fail", () => {
    expect(progressPollDelay(progress(3), { hiddenPolls: 2, failures: 0 })).toBe(4 * PROGRESS_POLL_MS);
    expect(progressPollDelay(progress(3), { hiddenPolls: 20, failures: 0 })).toBe(MAX_PROGRESS_POLL_MS);
    expect(progressPollDelay(progress(3), { hiddenPolls: 0, failures: 3 }, () => 0)).toBe(8 * PROGRESS_POLL_MS);
  });

  it("lists at most 30 line numbers", () => {
    expect(linesText([2, 5, 9])).toBe("2, 5, 9");
    const many = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(linesText(many).endsWith("and 10 more")).toBe(true);
  });
});

describe("Esc on the campaign form", () => {
  const opened = formValues(CAMPAIGN, DIMS);

  it("closes at once when nothing changed, dimension order and line endings aside", () => {
    expect(formChanged(opened, { ...opened })).toBe(false);
    expect(formChanged(opened, { ...opened, dimensions: [...opened.dimensions].reverse() })).toBe(false);
    const crlf = { ...opened, guidelines: { ...opened.guidelines, smoothness: "Watch\r\ntwice." } };
    expect(formChanged(crlf, { ...crlf, guidelines: { ...crlf.guidelines, smoothness: "Watch\ntwice." } })).toBe(false);
  });

  it("asks first once a field, a dimension or a guideline was changed", () => {
    expect(formChanged(opened, { ...opened, edit_window_minutes: "45" })).toBe(true);
    expect(formChanged(opened, { ...opened, dimensions: ["motion", "smoothness"] })).toBe(true);
    expect(formChanged(opened, { ...opened, guidelines: { ...opened.guidelines, motion: "new" } })).toBe(true);
    expect(formChanged(opened, { ...opened, adaptive_overlap: false })).toBe(true);
  });
});

describe("server manifest choice", () => {
  const paths = ["/srv/imports/demo/ground_truth.jsonl", "/srv/imports/demo/manifest.jsonl", "/srv/imports/other/rows.csv"];

  it("preselects a file named manifest.*, not the first one (a demo folder's ground truth)", () => {
    expect(defaultManifest(paths, null)).toBe("/srv/imports/demo/manifest.jsonl");
    expect(defaultManifest(["/a/rows.jsonl", "/a/b.jsonl"], null)).toBe("/a/rows.jsonl");
    expect(defaultManifest([], null)).toBeNull();
  });

  it("keeps the admin's pick across a re-render (language switch), unless it is gone", () => {
    expect(defaultManifest(paths, "/srv/imports/other/rows.csv")).toBe("/srv/imports/other/rows.csv");
    expect(defaultManifest(paths, "/srv/imports/gone.jsonl")).toBe("/srv/imports/demo/manifest.jsonl");
  });
});

describe("fetch wrapper with files", () => {
  it("sends FormData as multipart: no JSON content type, the CSRF header kept", async () => {
    const calls: RequestInit[] = [];
    const api = createApi({
      fetch: async (_url, init) => {
        calls.push(init);
        return new Response("{}", { status: 200 });
      },
      csrfToken: () => "tok",
      onUnauthenticated: () => undefined,
    });
    const form = new FormData();
    form.append("dry_run", "true");
    await api.post("/api/imports/", form);
    const headers = calls[0].headers as Record<string, string>;
    expect(headers["Content-Type"]).toBeUndefined();
    expect(headers["X-CSRFToken"]).toBe("tok");
    expect(calls[0].body).toBe(form);
  });
});
