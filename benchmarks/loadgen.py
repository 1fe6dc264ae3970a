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

Fault-injection runs (benchmarks/chaos.py) add two behaviours of real clients:
`resubmit_on_error` resends a submit whose outcome is unknown (transport error, timeout, 5xx)
with the SAME body and client_key until the server answers, as the labelling page does; a
`200 replayed` answer then acknowledges the first attempt. `timeout_fraction` of the clients use
`short_timeout_s` per request, so they give up on requests the server still completes.
Transport errors and 5xx answers are counted apart (`transient_error_count`): during an outage
they are expected; every other error is a bug.

This module never imports Django: it is an HTTP client only (benchmarks/rawhttp.py: asyncio,
keep-alive, a few hundred microseconds of CPU per request), usable against any server. It
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

from benchmarks.rawhttp import Connection, TransportError

try:  # the demo's simulated annotator answers from (made-up) ground truth with noise
    from demo import SimulatedAnnotator as _SimulatedAnnotator
except Exception:  # noqa: BLE001 - the package is optional for this client; fall back to uniform answers
    _SimulatedAnnotator = None

REQUEST_KINDS = ("next", "submit", "replay", "cycle")
MAX_RECORDED_ERRORS = 200
RESUBMIT_GRACE_S = 15.0  # how long after the deadline a client keeps resending an unanswered submit


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
    use_simulated_annotator: bool = True  # use demo.SimulatedAnnotator when importable
    resubmit_on_error: bool = False  # resend a submit with an unknown outcome (same key) until answered
    timeout_fraction: float = 0.0  # share of clients that use short_timeout_s per request
    short_timeout_s: float = 0.05
    error_backoff_s: float = 0.2  # wait after a transport error or 5xx before the next try


@dataclass
class LoadResult:
    clients: int
    duration_s: float
    cycles: int
    latencies: dict[str, LatencyStats]
    status_codes: dict[str, dict[int, int]]
    error_count: int  # every error, transient ones included
    errors: list[str]  # the first MAX_RECORDED_ERRORS, as text
    transient_error_count: int  # transport errors, timeouts and 5xx answers (expected during an outage)
    acknowledged: list[int]  # assignment ids answered 201
    replays_ok: int
    empty_answers: Counter  # reason -> count for next/ without a lease
    exhausted: bool  # every client was told nothing_left before the deadline
    client_cpu_s: float  # CPU this process spent (loop + HTTP client): high values mean the client limits
    answer_source: str

    @property
    def throughput(self) -> float:
        """Completed cycles (acknowledged submissions) per second."""
        return self.cycles / self.duration_s if self.duration_s > 0 else 0.0

    def summary(self) -> str:
        def fmt(v):
            return "-" if v is None else f"{v:.1f}"

        lines = [f"clients={self.clients} cycles={self.cycles} in {self.duration_s:.1f}s "
                 f"-> {self.throughput:.1f} cycles/s, errors={self.error_count} "
                 f"(transient {self.transient_error_count}), replays_ok={self.replays_ok}, "
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
        self.transient = 0
        self.acknowledged: list[int] = []
        self.replays_ok = 0
        self.empty = Counter()
        self.exhausted_clients = 0

    def error(self, text: str, *, transient: bool = False) -> None:
        self.error_count += 1
        self.transient += transient
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


def _transient(response) -> bool:
    return response is None or response.status_code >= 500


async def _post(http: Connection, rec: _Recorder, kind: str, url: str, body: dict, timeout_s: float):
    """POST and record latency + status. Returns the response, or None after a transport error."""
    t0 = time.perf_counter()
    try:
        response = await http.post(url, body, timeout_s=timeout_s)
    except TransportError as exc:
        rec.codes[kind][0] += 1
        rec.error(f"{kind} {url}: {exc}", transient=True)
        return None
    rec.samples[kind].append(time.perf_counter() - t0)
    rec.codes[kind][response.status_code] += 1
    return response


def _is_replay_of(response, assignment_id: int, judgments=None) -> bool:
    data = response.json() if response.is_json else {}
    return (response.status_code == 200 and data.get("replayed") is True and data.get("assignment") == assignment_id
            and (judgments is None or data.get("judgments") == judgments))


async def _submit(http: Connection, cfg: LoadConfig, rec: _Recorder, url: str, body: dict, assignment_id: int,
                  timeout_s: float, deadline: float):
    """Send one submission; the acknowledging response (201, or a replay after a try with an
    unknown outcome), else None. With resubmit_on_error, unknown outcomes are resent with the same body."""
    unknown_outcome, attempt = False, 0
    while True:
        # a client that timed out waits longer on its next try (as a browser backing off would)
        response = await _post(http, rec, "submit", url, body, min(cfg.request_timeout_s, timeout_s * 2 ** attempt))
        attempt += 1
        if response is not None and response.status_code == 201:
            return response
        if response is not None and unknown_outcome and _is_replay_of(response, assignment_id):
            return response  # an earlier try had committed: acknowledged now
        if response is not None and response.status_code < 500:
            rec.error(f"submit {assignment_id}: HTTP {response.status_code}: {response.text[:300]}")
            return None
        if response is not None:
            rec.error(f"submit {assignment_id}: HTTP {response.status_code}: {response.text[:200]}", transient=True)
        if not cfg.resubmit_on_error or time.perf_counter() > deadline + RESUBMIT_GRACE_S:
            return None  # unknown outcome: not acknowledged (the invariant check still covers it)
        unknown_outcome = True
        await asyncio.sleep(cfg.error_backoff_s)


async def _annotator(cfg: LoadConfig, rec: _Recorder, token: str, retries: bool, short_timeout: bool,
                     deadline: float, seed: int) -> None:
    http = Connection(cfg.base_url, timeout_s=cfg.request_timeout_s, headers={"Authorization": f"Token {token}"})
    timeout_s = cfg.short_timeout_s if short_timeout else cfg.request_timeout_s
    answerer = _Answerer(seed, cfg.use_simulated_annotator)
    next_url = f"/api/campaigns/{cfg.campaign_id}/next/"
    try:
        while time.perf_counter() < deadline:
            t_cycle = time.perf_counter()
            response = await _post(http, rec, "next", next_url, {}, timeout_s)
            if response is None or response.status_code != 200:
                if response is not None:
                    rec.error(f"next: HTTP {response.status_code}: {response.text[:300]}",
                              transient=_transient(response))
                await asyncio.sleep(cfg.error_backoff_s if _transient(response) else cfg.empty_backoff_s)
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
            first = await _submit(http, cfg, rec, submit_url, body, assignment_id, timeout_s, deadline)
            if first is None:
                if cfg.resubmit_on_error:
                    await asyncio.sleep(cfg.error_backoff_s)
                continue
            rec.samples["cycle"].append(time.perf_counter() - t_cycle)
            rec.acknowledged.append(assignment_id)
            if retries:
                # Simulated timeout: act as if the 201 never arrived and resend the identical body.
                replay = await _post(http, rec, "replay", submit_url, body, timeout_s)
                if replay is not None:
                    if _is_replay_of(replay, assignment_id, first.json().get("judgments")):
                        rec.replays_ok += 1
                    else:
                        rec.error(f"replay {assignment_id}: HTTP {replay.status_code}: {replay.text[:300]}",
                                  transient=_transient(replay))
            if cfg.think_time_s:
                await asyncio.sleep(cfg.think_time_s)
    finally:
        http.close()


async def run_load(cfg: LoadConfig) -> LoadResult:
    """Run len(cfg.tokens) simulated annotators for cfg.seconds (or until the campaign is exhausted)."""
    ensure_loopback(cfg.base_url)
    if not cfg.tokens:
        raise ValueError("need at least one annotator token")
    if not 0.0 <= cfg.retry_fraction <= 1.0:
        raise ValueError("retry_fraction must be within 0..1")
    if not 0.0 <= cfg.timeout_fraction <= 1.0:
        raise ValueError("timeout_fraction must be within 0..1")
    n = len(cfg.tokens)
    n_retry = round(n * cfg.retry_fraction)
    n_short = round(n * cfg.timeout_fraction)
    rec = _Recorder()
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + cfg.seconds
    tasks = [
        # retry clients from the front, short-timeout clients from the back of the list
        asyncio.create_task(_annotator(cfg, rec, token, i < n_retry, i >= n - n_short, deadline, cfg.seed * 1000 + i))
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
        transient_error_count=rec.transient,
        acknowledged=rec.acknowledged,
        replays_ok=rec.replays_ok,
        empty_answers=rec.empty,
        exhausted=rec.exhausted_clients == n,
        client_cpu_s=time.process_time() - cpu0,
        answer_source=answer_source,
    )
