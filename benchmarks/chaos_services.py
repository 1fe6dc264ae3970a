"""Private, disposable backing services for fault injection: a PostgreSQL cluster, a Redis server
and a Celery worker that benchmarks/chaos.py may stop, kill and restart at will.

The shared PostgreSQL (5432) and Redis (6379) of a development machine serve other people's tests
and must never be restarted, so every fault runs against instances started here, on free loopback
ports, with their data in a temporary folder that is deleted afterwards:

- `PrivatePostgres`: `initdb` + `pg_ctl` from the PostgreSQL binaries (PG_BIN, default
  /usr/lib/postgresql/15/bin). PostgreSQL refuses to run as root; as root the cluster is owned by
  the `postgres` system user and the commands run through `runuser`.
- `PrivateRedis`: `redis-server --port N`, no persistence (a restart loses everything, as a
  crashed cache/broker without AOF does).
- `CeleryWorker`: `celery -A config worker` on the private broker, its own process group so that
  `kill9()` takes the pool children too.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.annotation_scenario import PY, ROOT

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CELERY = str(Path(PY).parent / "celery")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, *, up: bool, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still {'down' if up else 'up'} after {timeout:.0f}s")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1:<port> (trust auth, user `postgres`)."""

    def __init__(self, root: Path, port: int | None = None):
        self.port = port or free_port()
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.socket_dir = root
        self._as_postgres = os.geteuid() == 0  # initdb/postgres refuse root

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> None:
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> "PrivatePostgres":
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.data.parent, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            # a small, quick server: the load is 32 clients on loopback; fsync stays ON so that an
            # immediate stop is a real crash test for acknowledged writes
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.socket_dir}'\nmax_connections = 100\n"
                       "shared_buffers = 64MB\nlog_min_messages = warning\n")
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        _wait_port(self.port, up=True, timeout=30)

    def stop(self, mode: str = "fast") -> None:
        """mode `immediate` is a crash: no checkpoint, every backend killed, WAL replay on start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, *, down_s: float = 2.0) -> None:
        self.stop("immediate")
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass


class PrivateRedis:
    """redis-server on 127.0.0.1:<port>, nothing persisted."""

    def __init__(self, root: Path, port: int | None = None):
        self.port = port or free_port()
        self.root = root
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.root), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, up=True, timeout=15)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        _wait_port(self.port, up=False, timeout=10)

    def restart(self, *, down_s: float = 2.0) -> None:
        self.kill()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        self.kill()


class CeleryWorker:
    """One Celery worker (prefork, concurrency 1) for the default queue, on the given environment."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [CELERY, "-A", "config", "worker", "-Q", "default", "--concurrency", "1", "--loglevel", "INFO",
                 "-n", f"chaos-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill9(self) -> None:
        """SIGKILL the worker and its pool children at once (no warm shutdown, no requeue by the worker)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.kill9()
        self.start()

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()


def scratch_dir() -> Path:
    """A temporary folder the `postgres` user can enter (initdb runs as it when we are root)."""
    root = Path(tempfile.mkdtemp(prefix="studio-chaos-"))
    root.chmod(0o755)
    return root
