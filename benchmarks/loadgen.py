"""Reusable asyncio load generator: N simulated annotators lease and submit pairs over HTTP.

Each simulated annotator runs a closed loop against the annotation API (token auth):

    POST /api/campaigns/{id}/next/ {}                -> a lease (or {"assignment": null, "reason": ...})
    POST /api/assignments/{a}/submit/ {client_key, video_a, video_b, answers[one per dimension]}

A configurable share of the annotators ("retry clients") then behave like a browser whose
submit timed out after the server had committed it: they discard the 201 and resend the
identical body, which must come back 200 with `replayed: true` and the same assignment.

The generator records per-request latencies by kind (`next`, `submit`, `replay`), the cycle
latency (start of `next` to end of `submit`), status codes, errors and the ids of every
ACKNOWLEDGED submission (answered 201), so a caller can check each one against the database.
It stops at a deadline, or when every client has been told `nothing_left`.

This module never imports Django: it is an HTTP client only, usable against any server. It
refuses non-loopback targets (it is a load generator, not a tool to point at other hosts).

    result = asyncio.run(run_load(LoadConfig(base_url="http://127.0.0.1:8000", campaign_id=1,
                                             tokens=[...], seconds=20)))
    print(result.summary())
"""
from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import math
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

try:  # the demo's simulated annotator answers from (made-up) ground truth with noise
    from annotation.demo import SimulatedAnnotator as _SimulatedAnnotator
except Exception:  # noqa: BLE001 - the package is optional for this client; fall back to uniform answers
    _SimulatedAnnotator = None

REQUEST_KINDS = ("next", "submit", "replay", "cycle")
MAX_RECORDED_ERRORS = 200


class NonLoopbackTarget(ValueError):
    """The load generator only talks to this machine."""


def ensure_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise NonLoopbackTarget(f"refusing to load {base_url!r}: only loopback targets (127.0.0.1, ::1, localhost)")


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no samples."""
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


@dataclass(frozen=True)
class LatencyStats:
    count: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    mean_ms: float | None

    @classmethod
    def of(cls, seconds: list[float]) -> "LatencyStats":
        ms = [s * 1000.0 for s in seconds]
        return cls(
            count=len(ms),
            p50_ms=percentile(ms, 50),
            p95_ms=percentile(ms, 95),
            p99_ms=percentile(ms, 99),
            max_ms=max(ms) if ms else None,
            mean_ms=sum(ms) / len(ms) if ms else None,
        )


@dataclass
class LoadConfig:
    base_url: str
    campaign_id: int
    tokens: list[str]  # one annotator per token; len(tokens) is the number of concurrent clients
    seconds: float = 20.0  # deadline: no new cycle starts after it (cycles in flight finish)
    retry_fraction: float = 0.0  # share of clients that resend every submit once (simulated timeout)
    think_time_s: float = 0.0  # pause between cycles (0 = closed loop at full speed)
    request_timeout_s: float = 30.0
    empty_backoff_s: float = 0.05  # wait before asking again when every open pair is leased by others
    seed: int = 0
    use_simulated_annotator: bool = True  # use annotation.demo.SimulatedAnnotator when importable


@dataclass
class LoadResult:
    clients: int
    duration_s: float
    cycles: int
    latencies: dict[str, LatencyStats]
    status_codes: dict[str, dict[int, int]]
    error_count: int
    errors: list[str]  # the first MAX_RECORDED_ERRORS, as text
    acknowledged: list[int]  # assignment ids answered 201
    replays_ok: int
    empty_answers: Counter  # reason -> count for next/ without a lease
    exhausted: bool  # every client was told nothing_left before the deadline
    client_cpu_s: float  # CPU this process spent (loop + httpx): high values mean the client limits
    answer_source: str

    @property
    def throughput(self) -> float:
        """Completed cycles (acknowledged submissions) per second."""
        return self.cycles / self.duration_s if self.duration_s > 0 else 0.0

    def summary(self) -> str:
        def fmt(v):
            return "-" if v is None else f"{v:.1f}"

        lines = [f"clients={self.clients} cycles={self.cycles} in {self.duration_s:.1f}s "
                 f"-> {self.throughput:.1f} cycles/s, errors={self.error_count}, replays_ok={self.replays_ok}, "
                 f"client_cpu={self.client_cpu_s:.1f}s"]
        for kind in REQUEST_KINDS:
            st = self.latencies[kind]
            if st.count:
                lines.append(f"  {kind:<7} n={st.count:<6} p50={fmt(st.p50_ms)} p95={fmt(st.p95_ms)} "
                             f"p99={fmt(st.p99_ms)} max={fmt(st.max_ms)} ms")
        return "\n".join(lines)


class _Recorder:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {k: [] for k in REQUEST_KINDS}
        self.codes: dict[str, Counter] = {k: Counter() for k in REQUEST_KINDS if k != "cycle"}
        self.errors: list[str] = []
        self.error_count = 0
        self.acknowledged: list[int] = []
        self.replays_ok = 0
        self.empty = Counter()
        self.exhausted_clients = 0

    def error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_RECORDED_ERRORS:
            self.errors.append(text)


class _Answerer:
    """Answers one strength per dimension: the demo's simulated annotator (consistent made-up
    truth per video id, so different annotators roughly agree) or uniform -2..2."""

    def __init__(self, seed: int, use_simulated: bool) -> None:
        self._rng = random.Random(seed)
        self._sim = None
        if use_simulated and _SimulatedAnnotator is not None:
            self._sim = _SimulatedAnnotator(noise=0.1, seed=seed)

    @property
    def source(self) -> str:
        return "SimulatedAnnotator" if self._sim is not None else "uniform -2..2"

    @staticmethod
    def _truth(video_id: int, dims: list[str]) -> dict[str, float]:
        out = {}
        for d in dims:
            h = hashlib.blake2b(f"{video_id}:{d}".encode(), digest_size=4).digest()
            out[d] = int.from_bytes(h, "big") / 2**32
        return out

    def answers(self, lease: dict) -> list[dict]:
        dims = [d["key"] for d in lease["dimensions"]]
        if self._sim is not None:
            try:
                judged = self._sim.judge(self._truth(lease["video_a"]["id"], dims),
                                         self._truth(lease["video_b"]["id"], dims), dims)
                return [{"dimension": d, "strength": int(judged[d])} for d in dims]
            except ValueError:  # a dimension the demo catalog does not know: answer uniformly
                pass
        return [{"dimension": d, "strength": self._rng.randint(-2, 2)} for d in dims]


async def _post(http: httpx.AsyncClient, rec: _Recorder, kind: str, url: str, body: dict, headers: dict):
    """POST and record latency + status. Returns (response or None, elapsed seconds)."""
    t0 = time.perf_counter()
    try:
        response = await http.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        elapsed = time.perf_counter() - t0
        rec.codes[kind][0] += 1
        rec.error(f"{kind} {url}: {exc.__class__.__name__}: {exc}")
        return None, elapsed
    elapsed = time.perf_counter() - t0
    rec.samples[kind].append(elapsed)
    rec.codes[kind][response.status_code] += 1
    return response, elapsed


async def _annotator(http: httpx.AsyncClient, cfg: LoadConfig, rec: _Recorder, token: str, retries: bool,
                     deadline: float, seed: int) -> None:
    headers = {"Authorization": f"Token {token}"}
    answerer = _Answerer(seed, cfg.use_simulated_annotator)
    next_url = f"/api/campaigns/{cfg.campaign_id}/next/"
    while time.perf_counter() < deadline:
        t_cycle = time.perf_counter()
        response, _ = await _post(http, rec, "next", next_url, {}, headers)
        if response is None:
            await asyncio.sleep(cfg.empty_backoff_s)
            continue
        if response.status_code != 200:
            rec.error(f"next: HTTP {response.status_code}: {response.text[:300]}")
            await asyncio.sleep(cfg.empty_backoff_s)
            continue
        lease = response.json()
        if lease.get("assignment") is None:
            reason = lease.get("reason", "?")
            rec.empty[reason] += 1
            if reason == "nothing_left":
                rec.exhausted_clients += 1
                return
            await asyncio.sleep(min(cfg.empty_backoff_s, max(0.0, deadline - time.perf_counter())))
            continue
        assignment_id = lease["assignment"]
        body = {
            "client_key": uuid.uuid4().hex,
            "video_a": lease["video_a"]["id"],
            "video_b": lease["video_b"]["id"],
            "answers": answerer.answers(lease),
            "time_spent_ms": 1000,
        }
        submit_url = f"/api/assignments/{assignment_id}/submit/"
        response, _ = await _post(http, rec, "submit", submit_url, body, headers)
        if response is None:
            continue  # unknown outcome: not acknowledged (the invariant check still covers it)
        if response.status_code != 201:
            rec.error(f"submit {assignment_id}: HTTP {response.status_code}: {response.text[:300]}")
            continue
        rec.samples["cycle"].append(time.perf_counter() - t_cycle)
        rec.acknowledged.append(assignment_id)
        first = response.json()
        if retries:
            # Simulated timeout: act as if the 201 never arrived and resend the identical body.
            replay, _ = await _post(http, rec, "replay", submit_url, body, headers)
            if replay is not None:
                data = replay.json() if replay.headers.get("content-type", "").startswith("application/json") else {}
                if (replay.status_code == 200 and data.get("replayed") is True
                        and data.get("assignment") == assignment_id
                        and data.get("judgments") == first.get("judgments")):
                    rec.replays_ok += 1
                else:
                    rec.error(f"replay {assignment_id}: HTTP {replay.status_code}: {replay.text[:300]}")
        if cfg.think_time_s:
            await asyncio.sleep(cfg.think_time_s)


async def run_load(cfg: LoadConfig) -> LoadResult:
    """Run len(cfg.tokens) simulated annotators for cfg.seconds (or until the campaign is exhausted)."""
    ensure_loopback(cfg.base_url)
    if not cfg.tokens:
        raise ValueError("need at least one annotator token")
    if not 0.0 <= cfg.retry_fraction <= 1.0:
        raise ValueError("retry_fraction must be within 0..1")
    n = len(cfg.tokens)
    n_retry = round(n * cfg.retry_fraction)
    rec = _Recorder()
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    timeout = httpx.Timeout(cfg.request_timeout_s)
    cpu0 = time.process_time()
    async with httpx.AsyncClient(base_url=cfg.base_url, limits=limits, timeout=timeout, trust_env=False) as http:
        start = time.perf_counter()
        deadline = start + cfg.seconds
        tasks = [
            asyncio.create_task(_annotator(http, cfg, rec, token, i < n_retry, deadline, cfg.seed * 1000 + i))
            for i, token in enumerate(cfg.tokens)
        ]
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        duration = time.perf_counter() - start
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            rec.error(f"client crashed: {outcome.__class__.__name__}: {outcome}")
    answer_source = _Answerer(0, cfg.use_simulated_annotator).source
    return LoadResult(
        clients=n,
        duration_s=duration,
        cycles=len(rec.acknowledged),
        latencies={k: LatencyStats.of(v) for k, v in rec.samples.items()},
        status_codes={k: dict(c) for k, c in rec.codes.items()},
        error_count=rec.error_count,
        errors=rec.errors,
        acknowledged=rec.acknowledged,
        replays_ok=rec.replays_ok,
        empty_answers=rec.empty,
        exhausted=rec.exhausted_clients == n,
        client_cpu_s=time.process_time() - cpu0,
        answer_source=answer_source,
    )
