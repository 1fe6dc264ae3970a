import { describe, expect, it, vi } from "vitest";
import { NetworkError, type RawResponse } from "../src/lib/api";
import { QUEUE_KEY, SubmissionQueue, classify, jobPath, type Job, type Outcome } from "../src/lib/queue";
import { MemoryStorage } from "../src/lib/storage";

function harness(responses: (RawResponse | "network")[], storage = new MemoryStorage()) {
  let clock = 1_000;
  const sent: Job[] = [];
  const outcomes: Outcome[] = [];
  const timers: { fn: () => void; at: number }[] = [];
  let keys = 0;
  const queue = new SubmissionQueue({
    storage,
    now: () => clock,
    random: () => 0,
    newKey: () => `key-${++keys}`,
    send: async (job) => {
      sent.push(structuredClone(job));
      const next = responses.shift() ?? { status: 201, data: {} };
      if (next === "network") throw new NetworkError(new TypeError("Failed to fetch"));
      return next;
    },
    onOutcome: (o) => outcomes.push(o),
    schedule: (fn, ms) => timers.push({ fn, at: clock + ms }),
    cancel: () => undefined,
  });
  return { queue, storage, sent, outcomes, timers, advance: (ms: number) => (clock += ms), keysMinted: () => keys };
}

describe("submission queue", () => {
  it("persists the job with its client_key before the first attempt", () => {
    const { queue, storage } = harness([]);
    const job = queue.enqueue("submit", 5, 1, { video_a: 1, video_b: 2, answers: [] });
    const stored = JSON.parse(storage.getItem(QUEUE_KEY)!);
    expect(stored).toHaveLength(1);
    expect(stored[0].body.client_key).toBe(job.id);
    expect(job.body.client_key).toBe("key-1");
  });

  it("keeps a submit's spans in the stored job, so an offline submit sends them after a reload", async () => {
    const storage = new MemoryStorage();
    const segments = [{ video: 2, dimension: "motion", start_frame: 3, end_frame: 8 }];
    harness([], storage).queue.enqueue("submit", 5, 1, { video_a: 1, video_b: 2, answers: [], segments });
    const later = harness([], storage);
    await later.queue.flush();
    expect(later.sent[0].body.segments).toEqual(segments);
  });

  it("retries network errors and 5xx with backoff, always with the same client_key", async () => {
    const h = harness(["network", { status: 503, data: {} }, { status: 201, data: { state: "submitted" } }]);
    h.queue.enqueue("submit", 5, 1, { answers: [] });
    await h.queue.flush();
    expect(h.sent).toHaveLength(1);
    expect(h.queue.pending()[0].attempts).toBe(1);
    expect(h.queue.pending()[0].nextAt).toBe(1_000 + 1_000); // first backoff: 1 s (no jitter with random=0)
    h.advance(1_000);
    await h.queue.flush();
    expect(h.queue.pending()[0].nextAt).toBe(2_000 + 2_000); // then 2 s
    h.advance(2_000);
    await h.queue.flush();
    expect(h.sent.map((j) => j.body.client_key)).toEqual(["key-1", "key-1", "key-1"]);
    expect(h.keysMinted()).toBe(1);
    expect(h.queue.pending()).toEqual([]);
    expect(h.outcomes.map((o) => o.status)).toEqual(["done"]);
  });

  it("survives a reload: a new queue on the same storage resends the same key", async () => {
    const storage = new MemoryStorage();
    const first = harness(["network"], storage);
    first.queue.enqueue("submit", 9, 1, { answers: [] });
    await first.queue.flush();
    const second = harness([{ status: 200, data: { replayed: true } }], storage);
    second.queue.retryNow();
    await second.queue.flush();
    expect(second.sent[0].body.client_key).toBe("key-1");
    expect(second.keysMinted()).toBe(0);
    expect(storage.getItem(QUEUE_KEY)).toBeNull();
  });

  it("does not mint a second key when the same assignment is finished twice (double Enter)", () => {
    const { queue } = harness([]);
    const a = queue.enqueue("submit", 5, 1, {});
    const b = queue.enqueue("submit", 5, 1, {});
    expect(b.id).toBe(a.id);
    expect(queue.pending()).toHaveLength(1);
  });

  it("settles 4xx without retrying and reports expired leases", async () => {
    const h = harness([{ status: 409, data: { code: "lease_expired", detail: "gone" } }, { status: 400, data: { code: "invalid", detail: "bad" } }]);
    h.queue.enqueue("submit", 1, 1, {});
    h.queue.enqueue("skip", 2, 1, {});
    await h.queue.flush();
    expect(h.outcomes.map((o) => [o.job.assignment, o.status, o.code])).toEqual([
      [1, "expired", "lease_expired"],
      [2, "rejected", "invalid"],
    ]);
    expect(h.queue.pending()).toEqual([]);
  });

  it("keeps jobs and pauses when the session is gone", async () => {
    const onUnauthenticated = vi.fn();
    const storage = new MemoryStorage();
    const queue = new SubmissionQueue({
      storage,
      send: async () => ({ status: 403, data: { code: "not_authenticated" } }),
      onUnauthenticated,
      schedule: () => 0,
      cancel: () => undefined,
    });
    queue.enqueue("submit", 3, 1, {});
    await queue.flush();
    expect(onUnauthenticated).toHaveBeenCalledOnce();
    expect(queue.pendingAssignments()).toEqual([3]);
  });

  it("schedules the next attempt when a job is waiting", async () => {
    const h = harness(["network"]);
    h.queue.enqueue("submit", 5, 1, {});
    await h.queue.flush();
    expect(h.timers.at(-1)?.at).toBe(2_000);
  });

  it("classifies responses", () => {
    expect(classify({ status: 201, data: {} })).toBe("done");
    expect(classify({ status: 200, data: { replayed: true } })).toBe("done");
    expect(classify({ status: 502, data: null })).toBe("retry");
    expect(classify({ status: 429, data: null })).toBe("retry");
    expect(classify({ status: 409, data: { code: "lease_finished" } })).toBe("finished");
    expect(classify({ status: 409, data: { code: "idempotency_conflict" } })).toBe("rejected");
    expect(classify({ status: 401, data: {} })).toBe("auth");
    expect(classify({ status: 403, data: { code: "permission_denied" } })).toBe("rejected");
    expect(jobPath({ kind: "flag", assignment: 12 })).toBe("/api/assignments/12/flag/");
  });
});
