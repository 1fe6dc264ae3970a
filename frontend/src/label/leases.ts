/**
 * Leasing the pair to show now, and telling the annotator when a lease is lost. The prefetched
 * next pair is prefetch.ts's job.
 */
import { ApiError, NetworkError, type Api } from "../lib/api";
import { backoffDelay } from "../lib/backoff";
import type { Banners } from "../lib/chrome";
import { t } from "../lib/i18n";
import type { NextResponse } from "../lib/types";

/**
 * Ask for a lease until the server answers: retries network trouble with backoff and waits out
 * "too many leases", with a banner meanwhile. Resolves null after an error the annotator cannot
 * wait out (its detail stays in a banner).
 */
export async function leaseUntilAnswered(request: () => Promise<NextResponse>, banners: Banners): Promise<NextResponse | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await request();
      banners.clear("network");
      banners.clear("tooMany");
      return res;
    } catch (exc) {
      if (exc instanceof ApiError && exc.code === "too_many_leases") {
        banners.show("tooMany", t("banner.tooMany"), "info");
        await wait(10_000);
      } else if (exc instanceof NetworkError || (exc instanceof ApiError && exc.status >= 500)) {
        banners.show("network", t("banner.network"), "warn");
        await wait(backoffDelay(attempt, { baseMs: 1000, maxMs: 15_000 }));
      } else if (exc instanceof ApiError) {
        banners.show("fatal", exc.detail, "error");
        return null;
      } else {
        throw exc;
      }
    }
  }
}

/**
 * Tell the annotator why a pair is gone. `lease_finished` also covers a lease the reaper already
 * marked expired, whose answers were NOT stored: ask the server which it was.
 */
export async function explainLostLease(api: Api, banners: Banners, id: number, code: string): Promise<void> {
  let expired = code !== "lease_finished";
  if (!expired) {
    try {
      const detail = await api.get<{ state: string }>(`/api/assignments/${id}/`);
      expired = detail.state === "expired";
    } catch {
      expired = false;
    }
  }
  banners.show(`lost-${id}`, t(expired ? "banner.expired" : "banner.finished", { id }), expired ? "warn" : "info");
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
