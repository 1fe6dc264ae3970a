/**
 * The one fetch wrapper: JSON in and out, Django's CSRF header, a login redirect when the session
 * is gone, typed errors for 403/409/400, and retries with backoff for network errors and 5xx.
 *
 * Only idempotent calls retry here (GET, heartbeat, `next`, which resumes an open lease rather than
 * taking a second one). Submissions retry through the persistent queue (queue.ts) instead, so a
 * retry survives a reload and always carries the same client_key.
 */
import { backoffDelay, sleep as realSleep } from "./backoff";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly data: unknown,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
  }
}

/** The request never got an HTTP answer (offline, DNS, connection reset). */
export class NetworkError extends Error {
  constructor(override readonly cause: unknown) {
    super("network error");
    this.name = "NetworkError";
  }
}

export interface RawResponse {
  status: number;
  data: unknown;
}

export interface ApiDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  csrfToken: () => string;
  /** Called once when the server says the session is gone; the page redirects to the login form. */
  onUnauthenticated: () => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RequestOptions {
  body?: unknown;
  /** Extra attempts after the first for network errors, 408, 429 and 5xx. */
  retries?: number;
  signal?: AbortSignal;
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** DRF answers an unauthenticated session request with 403 not_authenticated (no WWW-Authenticate). */
export function isUnauthenticated(status: number, code: string): boolean {
  return status === 401 || (status === 403 && (code === "not_authenticated" || code === "authentication_failed"));
}

export function csrfFromCookie(cookie: string): string {
  for (const part of cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** A response body: JSON, else the start of the text as a detail (an HTML error page), else null. */
function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/** One HTTP exchange, never throwing for HTTP statuses (the queue classifies them itself). */
async function exchange(deps: ApiDeps, method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { Accept: "application/json" };
  // A FormData body (file uploads) is sent as multipart; the browser writes its boundary header.
  const isForm = typeof FormData !== "undefined" && opts.body instanceof FormData;
  if (method !== "GET") {
    if (!isForm) headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = deps.csrfToken();
  }
  let response: Response;
  try {
    response = await deps.fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : isForm ? (opts.body as FormData) : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (exc) {
    if (exc instanceof DOMException && exc.name === "AbortError") throw exc;
    throw new NetworkError(exc);
  }
  return { status: response.status, data: parseBody(await response.text().catch(() => "")) };
}

export function createApi(deps: ApiDeps) {
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const raw = (method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> => exchange(deps, method, path, opts);

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const retries = opts.retries ?? (method === "GET" ? 2 : 0);
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await raw(method, path, opts);
      } catch (exc) {
        if (exc instanceof NetworkError && attempt < retries) {
          await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 8000 }, random));
          continue;
        }
        throw exc;
      }
      if (res.status >= 200 && res.status < 300) return res.data as T;
      const body = (res.data ?? {}) as { code?: string; detail?: string };
      const code = body.code ?? `http_${res.status}`;
      if (isUnauthenticated(res.status, code)) deps.onUnauthenticated();
      if (isRetryableStatus(res.status) && attempt < retries) {
        await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 8000 }, random));
        continue;
      }
      throw new ApiError(res.status, code, body.detail ?? `HTTP ${res.status}`, res.data);
    }
  }

  return {
    raw,
    request,
    get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, opts),
    post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, { ...opts, body }),
    patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PATCH", path, { ...opts, body }),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The page's api: real fetch, the csrftoken cookie, and a redirect to the login form on 401. */
export function browserApi(loginUrl: string): Api {
  let redirecting = false;
  return createApi({
    fetch: (input, init) => window.fetch(input, init),
    csrfToken: () => csrfFromCookie(document.cookie),
    onUnauthenticated: () => {
      if (redirecting) return;
      redirecting = true;
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(`${loginUrl}?next=${next}`);
    },
  });
}
