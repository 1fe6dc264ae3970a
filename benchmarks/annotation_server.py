"""The annotation benches' server side: one gunicorn (config.wsgi) per configuration on loopback,
its access log (server-side request times) and the CPU it, its PostgreSQL backends and the load
generator use (/proc).

Used by benchmarks/bench_annotation.py (throughput) and benchmarks/chaos.py (fault injection)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.annotation_scenario import ROOT, server_url

PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")


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
