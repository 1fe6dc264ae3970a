import { describe, expect, it } from "vitest";
import { archiveUrl, humanBytes, isBuilding, percent, rowCountText } from "../src/exports/format";
import { share } from "../src/people/table";

describe("exports page helpers", () => {
  it("builds the archive URL with the kind escaped", () => {
    expect(archiveUrl("/api/", 7, "tar.gz")).toBe("/api/datasets/7/archive/?kind=tar.gz");
    expect(archiveUrl("/api/", 7, "zip")).toBe("/api/datasets/7/archive/?kind=zip");
  });

  it("shows progress as a whole percentage; ready is 100 whatever the counters say", () => {
    const progress = (fraction: number | null) => ({ rows_written: 0, rows_total: 0, fraction });
    expect(percent({ status: "building", progress: progress(0.4567) })).toBe(46);
    expect(percent({ status: "queued", progress: progress(null) })).toBe(0);
    expect(percent({ status: "ready", progress: progress(null) })).toBe(100);
    expect([isBuilding({ status: "queued" }), isBuilding({ status: "building" }), isBuilding({ status: "failed" })]).toEqual([true, true, false]);
  });

  it("writes sizes and row counts compactly", () => {
    expect(humanBytes(999)).toBe("999 B");
    expect(humanBytes(64_900)).toBe("64.9 KB");
    expect(humanBytes(3_200_000_000)).toBe("3.2 GB");
    expect(rowCountText({ train: 12, test: 4 })).toBe("train 12 · test 4");
    expect(rowCountText(undefined)).toBe("—");
  });
});

describe("people page helpers", () => {
  it("shows shares as percentages and a dash when there is no evidence", () => {
    expect(share(0.8125)).toBe("81.3%");
    expect(share(null)).toBe("—");
  });
});
