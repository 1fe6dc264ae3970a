"""`bench_annotation.py --profile-queries`: count, time and list the SQL of `next`, `submit` and a
replayed submit through the full Django stack, then cProfile the same cycle."""
from __future__ import annotations

import statistics
import time

from benchmarks.annotation_scenario import create_annotators, seed_campaign


class _QueryTimer:
    """connection.execute_wrapper that records (sql, seconds) with perf_counter precision
    (CaptureQueriesContext rounds times to whole milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, time.perf_counter() - t0))


def profile_queries(n_samples: int = 30, top: int = 25) -> str:
    """Count, time and list the SQL of `next`, `submit` and a replayed submit through the full
    Django stack (token auth, permissions, views, serializers) with the test client in this
    process, then cProfile the same cycle to show where the Python time goes."""
    import cProfile
    import io
    import pstats
    import uuid

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    tokens = create_annotators(1, prefix="bench-profiler")
    campaign = seed_campaign(n_pairs=max(200, n_samples * 4), label="profile")
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    kinds = ("next", "submit", "replay")
    counts = {k: [] for k in kinds}
    wall = {k: [] for k in kinds}
    sql_time = {k: [] for k in kinds}
    last: dict = {}

    def cycle(record: bool):
        out = {}
        timers = {}
        for kind in kinds:
            timers[kind] = _QueryTimer()
        t0 = time.perf_counter()
        with connection.execute_wrapper(timers["next"]), CaptureQueriesContext(connection) as q_next:
            lease = client.post(f"/api/campaigns/{campaign.pk}/next/", {}, content_type="application/json")
        out["next"] = (time.perf_counter() - t0, q_next)
        assert lease.status_code == 200, lease.content
        lease = lease.json()
        body = {"client_key": uuid.uuid4().hex, "video_a": lease["video_a"]["id"],
                "video_b": lease["video_b"]["id"],
                "answers": [{"dimension": d["key"], "strength": 1} for d in lease["dimensions"]]}
        url = f"/api/assignments/{lease['assignment']}/submit/"
        t0 = time.perf_counter()
        with connection.execute_wrapper(timers["submit"]), CaptureQueriesContext(connection) as q_submit:
            r = client.post(url, body, content_type="application/json")
        out["submit"] = (time.perf_counter() - t0, q_submit)
        assert r.status_code == 201, r.content
        t0 = time.perf_counter()
        with connection.execute_wrapper(timers["replay"]), CaptureQueriesContext(connection) as q_replay:
            r = client.post(url, body, content_type="application/json")
        out["replay"] = (time.perf_counter() - t0, q_replay)
        assert r.status_code == 200, r.content
        if record:
            for kind in kinds:
                elapsed, captured = out[kind]
                counts[kind].append(len(captured.captured_queries))
                wall[kind].append(elapsed)
                sql_time[kind].append(sum(t for _, t in timers[kind].queries))
                last[kind] = timers[kind].queries

    for _ in range(3):  # warm-up: imports, URL resolver, first connection
        cycle(False)
    for _ in range(n_samples):
        cycle(True)

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n_samples):
        cycle(False)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
    stream_tot = io.StringIO()
    pstats.Stats(profiler, stream=stream_tot).sort_stats("tottime").print_stats(top)

    med = statistics.median
    out = [f"In-process (Django test client, no HTTP server, persistent connection), {n_samples} samples; "
           f"medians in ms. 'SQL' = time inside cursor.execute (round trip included); 'Python' = the rest.", "",
           "| request | queries | wall | SQL | Python |", "|---|---:|---:|---:|---:|"]
    for kind in kinds:
        w, q = med(wall[kind]) * 1000, med(sql_time[kind]) * 1000
        out.append(f"| {kind} | {sorted(set(counts[kind]))} | {w:.2f} | {q:.2f} | {w - q:.2f} |")
    for kind in kinds:
        out.append(f"\n#### {kind}: {len(last[kind])} queries (last sample)\n")
        for j, (sql_text, seconds) in enumerate(last[kind], 1):
            sql_text = " ".join(sql_text.split())
            out.append(f"{j:2d}. [{seconds * 1000:.2f} ms] {sql_text[:300]}")
    out += ["", f"#### cProfile of {n_samples} next+submit+replay cycles, by cumulative time", "", "```",
            stream.getvalue().strip(), "```", "", "#### by own time", "", "```", stream_tot.getvalue().strip(), "```"]
    return "\n".join(out)
