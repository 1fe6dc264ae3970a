"""End-to-end annotation throughput: gunicorn + PostgreSQL under N simulated annotators.

    .venv/bin/python benchmarks/bench_annotation.py --clients 1 8 32 --seconds 20 --workers 4 --pairs 20000

What it does, in order:
  1. drops and creates the database `studio_bench` on DATABASE_URL's server (default
     postgres://postgres@127.0.0.1:5432) and migrates it with `manage.py migrate`;
  2. creates annotator users with DRF tokens (as many as the largest client count);
  3. starts one gunicorn per server configuration (`--server sync:60 gthread:60 ...`, or the
     cross product of --worker-class and --conn-max-age) on 127.0.0.1 and waits for /healthz;
  4. interleaves the runs (repeat -> client count -> server) so drifting load from other jobs
     hits every configuration alike; each run seeds a FRESH campaign (six dimensions, overlap 3,
     --pairs pairs) and drives benchmarks/loadgen.py against it for --seconds, while reading the
     CPU used by gunicorn, its PostgreSQL backends and the load generator from /proc;
  5. after each run: `annotation_invariant_violations()` plus a check that every acknowledged
     assignment is `submitted` with one judgment per campaign dimension;
  6. prints markdown tables (latency/throughput, medians over --repeat, CPU per cycle, and the
     server-side request time from gunicorn's access log) and appends them to
     benchmarks/results/annotation.md with the machine (uname -a, nproc, free -g), date, git
     commit and the exact command. The gunicorns are stopped with SIGTERM at the end.

`--profile-queries` instead counts and times the SQL of `next`, `submit` and a replayed submit
(Django test client in this process, CaptureQueriesContext + an execute wrapper) and prints a
cProfile of the request cycle, to find N+1s, avoidable round trips and Python hot spots.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import logging
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.loadgen import LatencyStats, LoadConfig, LoadResult, run_load  # noqa: E402
from benchmarks.machine import machine_block, results_append  # noqa: E402

PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
RESULTS = ROOT / "benchmarks" / "results" / "annotation.md"
N_DIMENSIONS = 6


# --------------------------------------------------------------------------- database

def server_url(database_url: str | None) -> str:
    """DATABASE_URL without its database name (the server to create the bench database on)."""
    parts = urlsplit(database_url or DEFAULT_SERVER_URL)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def bench_database_url(database_url: str | None, db_name: str) -> str:
    return f"{server_url(database_url)}/{db_name}"


def recreate_database(database_url: str | None, db_name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url(database_url))
    host = parts.hostname or "127.0.0.1"
    with psycopg.connect(host=host, port=parts.port or 5432, user=parts.username or "postgres",
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        ident = sql.Identifier(db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def migrate(env: dict) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)


def setup_django(env: dict) -> None:
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL") if k in env})
    import django

    django.setup()


def create_annotators(n: int, prefix: str = "bench-annotator") -> list[str]:
    """n annotator users with tokens (created or reused); returns the token keys."""
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    group = Group.objects.get(name="annotator")
    tokens = []
    for i in range(n):
        user, created = User.objects.get_or_create(username=f"{prefix}-{i}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    return tokens


def seed_campaign(*, n_pairs: int, overlap: int = 3, label: str = "bench", batch: int = 5000):
    """One active pairwise campaign with all six dimensions and n_pairs pairs of fresh videos
    (no files: the bench never fetches media). Bulk inserts; returns the campaign."""
    from annotation.models import Campaign, Dimension, Pair, Prompt, Video, VideoStatus

    stamp = f"{label}-{time.time_ns()}"
    campaign = Campaign.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}", overlap=overlap,
                                       lease_ttl_seconds=600, protocol="pairwise", status="active")
    dims = list(Dimension.objects.all())
    campaign.dimensions.set(dims)
    if len(dims) != N_DIMENSIONS:
        print(f"[bench] warning: {len(dims)} dimensions seeded, expected {N_DIMENSIONS}", flush=True)

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    for start in range(0, n_pairs, batch):
        idx = range(start, min(n_pairs, start + batch))
        prompts = Prompt.objects.bulk_create([
            Prompt(text=f"Bench scene {i}: a girl with pink hair waves", initial_image=f"initial/{stamp}-{i}.png",
                   initial_image_sha256=sha(f"{stamp}-img-{i}"), action_label="waving",
                   split_key=Prompt.split_key_for(sha(f"{stamp}-img-{i}")))
            for i in idx
        ])
        videos = Video.objects.bulk_create([
            Video(prompt=p, generator=gen, seed=i, file=f"videos/{stamp}-{i}-{side}.mp4",
                  sha256=sha(f"{stamp}-{i}-{side}"), fps=12.0, frame_count=24, width=256, height=144,
                  duration_s=2.0, codec="h264", status=VideoStatus.READY)
            for i, p in zip(idx, prompts, strict=True)
            for side, gen in (("a", "bench-gen-a"), ("b", "bench-gen-b"))
        ])
        Pair.objects.bulk_create([
            Pair(campaign=campaign, video_a=videos[2 * k], video_b=videos[2 * k + 1], overlap=overlap,
                 random_key=(i * 0.6180339887) % 1.0)
            for k, i in enumerate(idx)
        ])
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics so the planner sees the real table sizes
        cursor.execute("ANALYZE annotation_pair; ANALYZE annotation_assignment; ANALYZE annotation_video")
    return campaign


def verify_acknowledged(acknowledged: list[int], n_dimensions: int = N_DIMENSIONS) -> list[str]:
    """Problems with acknowledged submissions: each must be `submitted` with one judgment per
    dimension (exactly n_dimensions). Empty list = every acknowledged write is in the database."""
    from django.db.models import Count

    from annotation.models import Assignment

    problems = []
    ids = list(acknowledged)
    if len(ids) != len(set(ids)):
        problems.append(f"{len(ids) - len(set(ids))} assignment ids acknowledged twice")
    rows = {
        pk: (state, n)
        for pk, state, n in Assignment.objects.filter(pk__in=set(ids))
        .annotate(n=Count("judgments")).values_list("pk", "state", "n")
    }
    for pk in sorted(set(ids)):
        if pk not in rows:
            problems.append(f"assignment {pk}: acknowledged but missing")
        elif rows[pk] != ("submitted", n_dimensions):
            problems.append(f"assignment {pk}: state={rows[pk][0]} judgments={rows[pk][1]}")
    return problems


def invariant_violations() -> dict:
    from annotation.selectors.invariants import annotation_invariant_violations

    return annotation_invariant_violations()


# --------------------------------------------------------------------------- gunicorn

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class ServerConfig:
    worker_class: str  # sync | gthread
    workers: int
    threads: int
    conn_max_age: int

    @property
    def app_name(self) -> str:
        """PostgreSQL application_name of this server's connections (to find its backends)."""
        return f"bench-{self.worker_class}-w{self.workers}-t{self.threads}-age{self.conn_max_age}"

    @property
    def label(self) -> str:
        kind = f"gthread x{self.threads}" if self.worker_class == "gthread" else "sync"
        return f"{self.workers} {kind} workers, DB_CONN_MAX_AGE={self.conn_max_age}"


ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"  # method, path, status, request time in microseconds


def server_times(access_log: Path, offset: int) -> tuple[dict[str, list[float]], int]:
    """Server-side request times (seconds) by kind from the access log, from byte `offset`;
    returns them and the new offset. Time is gunicorn's: from the worker reading the request to
    the response written, so client latency minus this is accept-queue wait + transport + client."""
    times: dict[str, list[float]] = {"next": [], "submit": [], "replay": []}
    with access_log.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    for line in data.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) != 4 or parts[0] != "POST":
            continue
        path, status, micros = parts[1], parts[2], parts[3]
        if path.endswith("/next/"):
            kind = "next"
        elif path.endswith("/submit/"):
            kind = "replay" if status == "200" else "submit"
        else:
            continue
        times[kind].append(int(micros) / 1e6)
    return times, offset + len(data)


class Gunicorn:
    def __init__(self, cfg: ServerConfig, env: dict, port: int, access_log: Path | None = None):
        self.cfg, self.port = cfg, port
        self.url = f"http://127.0.0.1:{port}"
        self.access_log = access_log
        # keep-alive well above the clients' idle gaps: gunicorn's 2 s default closes pooled
        # connections that the client is just reusing (httpx then reports ReadError on a POST)
        args = [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(cfg.workers),
                "--worker-class", cfg.worker_class, "--timeout", "60", "--graceful-timeout", "10",
                "--keep-alive", "75", "--log-level", "warning", "--backlog", "2048"]
        if access_log is not None:
            args += ["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT]
        if cfg.worker_class == "gthread":
            args += ["--threads", str(cfg.threads)]
        self.env = {**env, "DATABASE_URL": f"{env['DATABASE_URL']}?application_name={cfg.app_name}",
                    "DB_CONN_MAX_AGE": str(cfg.conn_max_age), "LOG_LEVEL": "WARNING", "DJANGO_DEBUG": "0",
                    "PYTHONUNBUFFERED": "1"}
        self.args = args
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT)
        self._wait_healthy()
        return self

    def _wait_healthy(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode} before becoming healthy")
            try:
                r = httpx.get(f"{self.url}/healthz", timeout=2, trust_env=False)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"gunicorn not healthy after {timeout:.0f}s: {last}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __exit__(self, *exc) -> None:
        self.stop()


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stats() -> dict[int, tuple[str, int, float, float]]:
    """pid -> (comm, ppid, own cpu s, reaped children's cpu s) for every process (Linux /proc)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        f = raw[raw.rindex(")") + 2:].split()
        # fields after comm: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state
        out[int(entry)] = (comm, int(f[1]), (int(f[11]) + int(f[12])) / _CLK_TCK, (int(f[13]) + int(f[14])) / _CLK_TCK)
    return out


class CpuMeter:
    """CPU seconds used during one run by a gunicorn (master + workers), by that gunicorn's
    PostgreSQL backends (found by application_name; other tenants and configurations share the
    server) and by this process (the load generator). Linux /proc only; `result()` is None elsewhere.

    Backends are polled every `interval` seconds while the run goes on, so one that hits
    CONN_MAX_AGE and is replaced mid-run is counted up to its last poll. With DB_CONN_MAX_AGE=0
    the per-request backends live a few ms and are mostly never seen: `postgres` is None then."""

    def __init__(self, gun: "Gunicorn", database_url: str | None, interval: float = 0.5):
        self.gun, self.interval = gun, interval
        self.per_request = gun.cfg.conn_max_age == 0
        self.enabled = Path("/proc/self/stat").exists() and gun.proc is not None
        parts = urlsplit(server_url(database_url))
        self._conninfo = dict(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                              user=parts.username or "postgres", password=parts.password, dbname="postgres")
        self._first: dict[int, float] = {}  # backend pid -> CPU when first seen (0 for backends born mid-run)
        self._last: dict[int, float] = {}  # backend pid -> CPU at the latest poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn = None

    def _gunicorn_cpu(self, procs) -> float:
        master = self.gun.proc.pid
        total = sum(own for pid, (_, ppid, own, _) in procs.items() if pid == master or ppid == master)
        return total + procs.get(master, ("", 0, 0.0, 0.0))[3]  # + workers that exited and were reaped

    def _poll(self, *, initial: bool = False) -> dict:
        procs = _proc_stats()
        try:
            rows = self._conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                      [self.gun.cfg.app_name]).fetchall()
        except Exception:  # noqa: BLE001 - accounting is best effort
            rows = []
        for (pid,) in rows:
            if pid in procs:
                cpu = procs[pid][2]
                self._first.setdefault(pid, cpu if initial else 0.0)
                self._last[pid] = cpu
        return procs

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def __enter__(self) -> "CpuMeter":
        if not self.enabled:
            return self
        import psycopg

        self._conn = psycopg.connect(**self._conninfo, autocommit=True)
        procs = self._poll(initial=True)
        self._start = {"gunicorn": self._gunicorn_cpu(procs), "loadgen": time.process_time()}
        self._thread = threading.Thread(target=self._loop, name="cpu-meter", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if not self.enabled:
            return
        self._stop.set()
        self._thread.join()
        procs = self._poll()
        self._end = {"gunicorn": self._gunicorn_cpu(procs), "loadgen": time.process_time()}
        self._conn.close()

    def result(self) -> dict | None:
        if not self.enabled:
            return None
        out = {k: max(0.0, self._end[k] - self._start[k]) for k in ("gunicorn", "loadgen")}
        out["postgres"] = None if self.per_request else sum(self._last[p] - self._first[p] for p in self._last)
        return out


# --------------------------------------------------------------------------- report

@dataclass
class RunRecord:
    config: ServerConfig
    result: LoadResult
    violations: dict
    ack_problems: list[str]
    load_after: float = 0.0  # 1-minute load average right after the run (other tenants show up here)
    server: dict | None = None  # kind -> LatencyStats of gunicorn's own request time
    cpu: dict | None = None  # CPU seconds during the run: gunicorn, postgres (whole server), loadgen

    @property
    def violation_count(self) -> int:
        return sum(len(rows) for rows in self.violations.values()) + len(self.ack_problems)


def _ms(v) -> str:
    return "-" if v is None else f"{v:.0f}" if v >= 100 else f"{v:.1f}"


TABLE_HEAD = ("| server | clients | cycles/s | cycle p50 | cycle p95 | next p50 | next p95 | submit p50 | submit p95 "
              "| replay p50 | errors | invariant violations | client CPU | load 1m |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def table(records: list[RunRecord]) -> str:
    rows = [TABLE_HEAD]
    for rec in records:
        r, lat = rec.result, rec.result.latencies
        rows.append(
            f"| {rec.config.label} | {r.clients} | {r.throughput:.1f} | {_ms(lat['cycle'].p50_ms)} | "
            f"{_ms(lat['cycle'].p95_ms)} | {_ms(lat['next'].p50_ms)} | {_ms(lat['next'].p95_ms)} | "
            f"{_ms(lat['submit'].p50_ms)} | {_ms(lat['submit'].p95_ms)} | {_ms(lat['replay'].p50_ms)} | "
            f"{r.error_count} | {rec.violation_count} | {100 * r.client_cpu_s / r.duration_s:.0f}% | "
            f"{rec.load_after:.1f} |"
        )
    return "\n".join(rows)


def cpu_table(records: list[RunRecord]) -> str:
    ncpu = os.cpu_count() or 1
    rows = ["| server | clients | cycles/s | gunicorn CPU ms/cycle | PostgreSQL CPU ms/cycle | loadgen CPU ms/cycle "
            f"| total | ceiling on {ncpu} cores (cycles/s) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for rec in records:
        if not rec.cpu or not rec.result.cycles:
            continue
        per = {k: None if v is None else v * 1000 / rec.result.cycles for k, v in rec.cpu.items()}
        if per["postgres"] is None:
            rows.append(f"| {rec.config.label} | {rec.result.clients} | {rec.result.throughput:.1f} | "
                        f"{per['gunicorn']:.1f} | n/a (per-request backends) | {per['loadgen']:.1f} | - | - |")
            continue
        total = sum(per.values())
        rows.append(f"| {rec.config.label} | {rec.result.clients} | {rec.result.throughput:.1f} | "
                    f"{per['gunicorn']:.1f} | {per['postgres']:.1f} | {per['loadgen']:.1f} | {total:.1f} | "
                    f"{ncpu * 1000 / total:.0f} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def server_table(records: list[RunRecord]) -> str:
    rows = ["| server | clients | srv next p50 | srv next p95 | srv submit p50 | srv submit p95 | "
            "client-seen next p50 | client-seen submit p50 |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for rec in records:
        if not rec.server:
            continue
        lat, srv = rec.result.latencies, rec.server
        rows.append(f"| {rec.config.label} | {rec.result.clients} | {_ms(srv['next'].p50_ms)} | "
                    f"{_ms(srv['next'].p95_ms)} | {_ms(srv['submit'].p50_ms)} | {_ms(srv['submit'].p95_ms)} | "
                    f"{_ms(lat['next'].p50_ms)} | {_ms(lat['submit'].p50_ms)} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def write_results(text: str, path: Path) -> None:
    results_append(path, text, preamble="# Annotation API benchmark results\n\nAppended by "
                   "`benchmarks/bench_annotation.py`; see `benchmarks/README.md` for what is measured.")


# --------------------------------------------------------------------------- query profile

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


# --------------------------------------------------------------------------- main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32], help="concurrent annotators per run")
    p.add_argument("--seconds", type=float, default=20.0, help="duration of each run")
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    p.add_argument("--worker-class", nargs="+", choices=["sync", "gthread"], default=["sync"],
                   help="one or more gunicorn worker classes (each is a separate server start)")
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--conn-max-age", type=int, nargs="+", default=[60],
                   help="DB_CONN_MAX_AGE values for the workers (e.g. 60 0 to compare persistent vs per-request)")
    p.add_argument("--server", nargs="+", metavar="CLASS:AGE",
                   help="explicit server configurations instead of the cross product, e.g. sync:60 sync:0 gthread:60")
    p.add_argument("--pairs", type=int, default=20000, help="pairs per seeded campaign (overlap 3)")
    p.add_argument("--retry-fraction", type=float, default=0.25,
                   help="share of clients that resend every submit once after a simulated timeout")
    p.add_argument("--no-server-times", dest="server_times", action="store_false",
                   help="do not write gunicorn's access log (it records server-side request times)")
    p.add_argument("--warmup", type=float, default=3.0,
                   help="seconds of unrecorded load on each fresh gunicorn before measuring (0 = none)")
    p.add_argument("--think-time", type=float, default=0.0,
                   help="seconds each simulated annotator pauses between cycles (0 = closed loop at full speed)")
    p.add_argument("--repeat", type=int, default=1, help="repeat each (server, clients) run; report every run")
    p.add_argument("--db-name", default="studio_bench")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-write", action="store_true", help="print only; do not append to the results file")
    p.add_argument("--note", default="", help="free text recorded with the results")
    p.add_argument("--profile-queries", action="store_true",
                   help="count the SQL queries of next/submit (no gunicorn, no load) and exit")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/bench_annotation.py",
                                                 *(sys.argv[1:] if argv is None else argv)])
    db_url = bench_database_url(os.environ.get("DATABASE_URL"), args.db_name)
    app_db = urlsplit(os.environ.get("DATABASE_URL") or "").path.lstrip("/")
    if args.db_name == app_db or args.db_name in ("postgres", "template0", "template1"):
        raise SystemExit(f"--db-name {args.db_name!r} would drop that database; pick a scratch name")
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings",
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}
    machine = machine_block()  # load average before we add any
    print(f"[bench] recreating {db_url} and migrating", flush=True)
    recreate_database(os.environ.get("DATABASE_URL"), args.db_name)
    migrate(env)
    setup_django(env)

    if args.profile_queries:
        report = profile_queries()
        print(report)
        if not args.no_write:
            write_results(f"## Query profile, {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}\n\n{machine}\n"
                          f"- command: `{command}`\n\n{report}\n", args.results)
        return 0

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request would cost client CPU
    tokens = create_annotators(max(args.clients))
    records: list[RunRecord] = []
    if args.server:
        servers = []
        for spec in args.server:
            wc, _, age = spec.partition(":")
            if wc not in ("sync", "gthread") or not age.isdigit():
                raise SystemExit(f"--server {spec!r}: expected CLASS:CONN_MAX_AGE, e.g. sync:60 or gthread:0")
            servers.append(ServerConfig(wc, args.workers, args.threads, int(age)))
    else:
        servers = [ServerConfig(wc, args.workers, args.threads, age)
                   for wc in args.worker_class for age in args.conn_max_age]
    from django.db import connection

    log_dir = Path(tempfile.mkdtemp(prefix="bench-annotation-"))
    connection.close()  # no idle bench connection held while the servers run
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, log_dir, ignore_errors=True)  # runs after the servers stopped
        # All configurations are up at once (idle workers cost nothing) and the runs interleave
        # (repeat -> clients -> server), so a change in the other tenants' load hits every
        # configuration alike instead of whichever happened to run during it.
        guns = []
        for i, server in enumerate(servers):
            access_log = log_dir / f"access-{i}.log" if args.server_times else None
            gun = stack.enter_context(Gunicorn(server, env, free_port(), access_log))
            print(f"[bench] gunicorn up at {gun.url}: {server.label}", flush=True)
            if args.warmup > 0:  # first requests of a fresh worker pay imports, URL resolver, connections
                warm = seed_campaign(n_pairs=300, label="warmup")
                connection.close()
                asyncio.run(run_load(LoadConfig(base_url=gun.url, campaign_id=warm.pk,
                                                tokens=tokens[:max(1, min(len(tokens), 2 * server.workers))],
                                                seconds=args.warmup)))
            offset = gun.access_log.stat().st_size if gun.access_log is not None and gun.access_log.exists() else 0
            guns.append([gun, offset])  # [server, access-log offset]
        for rep in range(args.repeat):
            for n in args.clients:
                for slot in guns:
                    gun, server = slot[0], slot[0].cfg
                    t0 = time.perf_counter()
                    campaign = seed_campaign(n_pairs=args.pairs, label=f"c{n}")
                    campaign_id = campaign.pk
                    print(f"[bench] seeded campaign {campaign_id} ({args.pairs} pairs) in "
                          f"{time.perf_counter() - t0:.1f}s; {server.label}; {n} clients x {args.seconds:.0f}s",
                          flush=True)
                    connection.close()
                    cfg = LoadConfig(base_url=gun.url, campaign_id=campaign_id, tokens=tokens[:n],
                                     seconds=args.seconds, retry_fraction=args.retry_fraction, seed=rep,
                                     think_time_s=args.think_time)
                    with CpuMeter(gun, os.environ.get("DATABASE_URL")) as meter:
                        result = asyncio.run(run_load(cfg))
                    cpu = meter.result()
                    violations = invariant_violations()
                    problems = verify_acknowledged(result.acknowledged)
                    if result.exhausted or result.cycles * 1.0 > args.pairs * 3 * 0.8:
                        print("[bench] warning: the campaign (nearly) ran out of pairs; raise --pairs", flush=True)
                    srv = None
                    if gun.access_log is not None:
                        times, slot[1] = server_times(gun.access_log, slot[1])
                        srv = {k: LatencyStats.of(v) for k, v in times.items()}
                    records.append(RunRecord(server, result, violations, problems, os.getloadavg()[0], srv, cpu))
                    print(result.summary(), flush=True)
                    if cpu:
                        print("  cpu ms/cycle: " + ", ".join(
                            f"{k}={'n/a' if v is None else f'{v * 1000 / max(1, result.cycles):.1f}'}"
                            for k, v in cpu.items()), flush=True)
                    if violations or problems:
                        print(f"[bench] INVARIANT VIOLATIONS: {violations} {problems[:20]}", flush=True)
                    for err in result.errors[:10]:
                        print(f"[bench] error: {err}", flush=True)

    answer_source = records[0].result.answer_source if records else "?"
    md = table(records)
    medians = []
    if args.repeat > 1:
        by_key: dict = {}
        for r in records:
            by_key.setdefault((r.config.label, r.result.clients), []).append(r.result)
        medians += ["", "Medians over repeats:", "",
                    "| server | clients | runs | median cycles/s | median cycle p95 | median next p95 "
                    "| median submit p95 |",
                    "|---|---:|---:|---:|---:|---:|---:|"]
        for (label, n), results in by_key.items():
            def med(get, results=results):
                values = [get(x) for x in results if get(x) is not None]
                return statistics.median(values) if values else None
            medians.append(f"| {label} | {n} | {len(results)} | {med(lambda x: x.throughput):.1f} | "
                           f"{_ms(med(lambda x: x.latencies['cycle'].p95_ms))} | "
                           f"{_ms(med(lambda x: x.latencies['next'].p95_ms))} | "
                           f"{_ms(med(lambda x: x.latencies['submit'].p95_ms))} |")
    retry_note = (f"{args.retry_fraction:.0%} of clients resend each submit once (simulated timeout; must be "
                  f"200 replay)")
    text = "\n".join([
        f"## Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}",
        "",
        machine,
        f"- command: `{command}`",
        f"- per run: fresh campaign of {args.pairs} pairs (overlap 3, six dimensions), {args.seconds:.0f} s closed "
        f"loop, think time {args.think_time:g} s; {retry_note}; answers from {answer_source}",
        "- cycles/s = acknowledged submissions per second; latencies in ms; client CPU = load generator CPU / wall "
        "(it shares the 2 cores with gunicorn and PostgreSQL)",
        *([f"- note: {args.note}"] if args.note else []),
        "",
        md,
        *medians,
        *(["", "CPU per acknowledged cycle (from /proc: gunicorn master + workers, that gunicorn's PostgreSQL "
            "backends polled every 0.5 s, the load generator process). It depends much less than latency on "
            "the other tenants' load. The ceiling is nproc x 1000 / total: the rate at which this stack alone "
            "would saturate the machine:", "",
            cpu_table(records)] if cpu_table(records) else []),
        *(["", "Server-side request time (gunicorn access log `%(D)s`: worker read request -> response written; "
            "the gap to the client-seen time is accept-queue wait + transport + load-generator delay):", "",
            server_table(records)] if server_table(records) else []),
    ])
    print("\n" + md + "\n".join(medians) + "\n\n" + cpu_table(records) + "\n\n" + server_table(records),
          flush=True)
    if not args.no_write:
        write_results(text, args.results)
        print(f"[bench] appended to {args.results}", flush=True)
    failed = any(r.violation_count or r.result.error_count for r in records)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
