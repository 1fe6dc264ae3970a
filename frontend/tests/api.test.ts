import { describe, expect, it, vi } from "vitest";
import { ApiError, NetworkError, createApi, csrfFromCookie } from "../src/lib/api";
import { backoffDelay } from "../src/lib/backoff";
import { heartbeatDelay } from "../src/lib/heartbeat";
import { niceTicks } from "../src/lib/chart";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function make(responses: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const onUnauthenticated = vi.fn();
  const api = createApi({
    fetch: async (url, init) => {
      calls.push({ url, init });
      const next = responses.shift();
      if (!next) throw new Error("no more responses");
      if (next instanceof Error) throw next;
      return next;
    },
    csrfToken: () => "tok123",
    onUnauthenticated,
    sleep: async () => undefined,
    random: () => 0,
  });
  return { api, calls, onUnauthenticated };
}

describe("fetch wrapper", () => {
  it("sends JSON with Django's CSRF header on writes", async () => {
    const { api, calls } = make([json(200, { ok: true })]);
    await expect(api.post("/api/x/", { a: 1 })).resolves.toEqual({ ok: true });
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers["X-CSRFToken"]).toBe("tok123");
    expect(headers["Content-Type"]).toBe("application/json");
    expect(calls[0].init.body).toBe('{"a":1}');
    expect(calls[0].init.credentials).toBe("same-origin");
  });

  it("retries 5xx and network errors when asked, then succeeds", async () => {
    const { api, calls } = make([json(503, {}), new TypeError("offline"), json(200, { n: 1 })]);
    await expect(api.post("/api/next/", {}, { retries: 2 })).resolves.toEqual({ n: 1 });
    expect(calls).toHaveLength(3);
  });

  it("does not retry a 409 and exposes its code", async () => {
    const { api, calls } = make([json(409, { code: "too_many_leases", detail: "submit one first" })]);
    const err = (await api.post("/api/next/", {}, { retries: 3 }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.detail]).toEqual([409, "too_many_leases", "submit one first"]);
    expect(calls).toHaveLength(1);
  });

  it("reports a lost session (DRF's 403 not_authenticated) once per call", async () => {
    const { api, onUnauthenticated } = make([json(403, { code: "not_authenticated", detail: "x" })]);
    await expect(api.get("/api/me/", { retries: 0 })).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it("throws NetworkError when out of retries offline", async () => {
    const { api } = make([new TypeError("offline")]);
    await expect(api.post("/api/x/", {})).rejects.toBeInstanceOf(NetworkError);
  });

  it("reads the csrftoken cookie", () => {
    expect(csrfFromCookie("sessionid=abc; csrftoken=Zz9%3D; other=1")).toBe("Zz9=");
    expect(csrfFromCookie("")).toBe("");
  });
});

describe("timing helpers", () => {
  it("backs off exponentially up to a cap, with jitter below the nominal delay", () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, { baseMs: 1000, maxMs: 8000 }, () => 0))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelay(0, { baseMs: 1000, jitter: 0.2 }, () => 1)).toBe(800);
  });

  it("beats every TTL/3 when visible, stretches while hidden but stays under the TTL", () => {
    expect(heartbeatDelay({ ttlSeconds: 600, hidden: false, hiddenBeats: 0, failures: 0 })).toBe(200_000);
    expect(heartbeatDelay({ ttlSeconds: 600, hidden: true, hiddenBeats: 1, failures: 0 })).toBe(400_000);
    expect(heartbeatDelay({ ttlSeconds: 600, hidden: true, hiddenBeats: 5, failures: 0 })).toBe(450_000);
    expect(heartbeatDelay({ ttlSeconds: 600, hidden: false, hiddenBeats: 0, failures: 1 })).toBe(2_000);
    expect(heartbeatDelay({ ttlSeconds: 600, hidden: false, hiddenBeats: 0, failures: 3 })).toBe(8_000);
  });

  it("picks round chart ticks", () => {
    expect(niceTicks(0, 37, 4)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
