"""Fault injection: the annotation API under load while its backing services fail.

    .venv/bin/python benchmarks/chaos.py --clients 32 --seconds 20            # every scenario
    .venv/bin/python benchmarks/chaos.py --scenario postgres-restart --no-write

Everything runs against PRIVATE services started here (benchmarks/chaos_services.py): a throwaway
PostgreSQL cluster and Redis on free loopback ports, a Celery worker and a production-style
gunicorn (sync workers, persistent DB connections with health checks) on top. The shared
PostgreSQL/Redis of the machine are never touched.

For each scenario: a fresh campaign, N simulated annotators (benchmarks/loadgen.py) for --seconds,
the fault injected --fault-at seconds in. The clients behave like the labelling page: on a
transport error, timeout or 5xx they back off and resend, a submit always with its original
client_key (`resubmit_on_error`); a quarter also resend every acknowledged submit once. Then,
WITHOUT any manual step, the scenario must show:

1. recovery: /healthz answers 200 again (database, broker, storage), and a 3-second load run
   right after has no error of any kind;
2. the Celery worker still works: an expired lease planted in a probe campaign is reaped by
   `annotation.tasks.reap_expired_leases` sent through the broker;
3. no invariant violation (annotation/selectors/invariants.py) and every acknowledged submission
   stored with one judgment per dimension;
4. clients saw only clean errors: transport errors and 5xx during the outage are allowed (they
   were retried); any other status (a 4xx, a wrong replay) fails the scenario.

Scenarios: postgres-restart (pg_ctl stop -m immediate, i.e. a crash, then start), redis-restart
(kill, then start empty), celery-kill9 (SIGKILL the worker and its pool, start a new one),
gunicorn-worker-kill9 (SIGKILL two busy gunicorn workers mid-request; the arbiter respawns
them), client-timeouts (half the clients give up after 0.15 s and resend, with the timeout
doubling per try). Results are appended to benchmarks/results/chaos.md; exit status 1 when a
scenario fails.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.annotation_scenario import (  # noqa: E402
    create_annotators,
    invariant_violations,
    migrate,
    seed_campaign,
    setup_django,
    verify_acknowledged,
)
from benchmarks.annotation_server import Gunicorn, ServerConfig, _proc_stats  # noqa: E402
from benchmarks.chaos_services import CeleryWorker, PrivatePostgres, PrivateRedis, free_port, scratch_dir  # noqa: E402
from benchmarks.loadgen import LoadConfig, LoadResult, run_load  # noqa: E402
from benchmarks.machine import machine_block, results_append  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "chaos.md"
SCENARIOS = ("postgres-restart", "redis-restart", "celery-kill9", "gunicorn-worker-kill9", "client-timeouts")
DB_NAME = "studio_chaos"
RECOVERY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ChaosConfig:
    clients: int = 32
    seconds: float = 20.0
    fault_at: float = 6.0  # seconds into the load run
    pairs: int = 5000  # per scenario campaign (overlap 3)
    workers: int = 4  # gunicorn sync workers
    retry_fraction: float = 0.25
    recovery_seconds: float = 3.0
    outage_s: float = 2.0  # how long PostgreSQL / Redis stay down

    def __post_init__(self):
        if self.clients < 1 or self.seconds <= self.fault_at or self.fault_at < 0:
            raise ValueError("need clients >= 1 and 0 <= fault_at < seconds")


@dataclass
class ScenarioOutcome:
    name: str
    fault: str
    load: LoadResult
    recovery: LoadResult | None = None
    healthy_after_s: float | None = None  # from the end of the fault to /healthz 200
    celery_reaped_s: float | None = None  # probe task: send -> expired lease reaped (None: never)
    violations: dict = field(default_factory=dict)
    ack_problems: list[str] = field(default_factory=list)

    @property
    def unclean_errors(self) -> int:
        """Errors that are not transport errors / 5xx: a client saw something wrong, not an outage."""
        return self.load.error_count - self.load.transient_error_count

    @property
    def ok(self) -> bool:
        return (self.unclean_errors == 0 and self.healthy_after_s is not None and self.recovery is not None
                and self.recovery.error_count == 0 and self.recovery.cycles > 0 and self.celery_reaped_s is not None
                and not self.violations and not self.ack_problems and self.load.cycles > 0)


class Stack:
    """Private PostgreSQL + Redis, the migrated database, a Celery worker and gunicorn."""

    def __init__(self, cfg: ChaosConfig):
        self.cfg = cfg
        self.root = scratch_dir()
        self.pg = PrivatePostgres(self.root).init()
        self.redis = PrivateRedis(self.root)
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "Stack":
        self._stack.callback(shutil.rmtree, self.root, ignore_errors=True)
        self.pg.start()
        self._stack.callback(self.pg.close)
        self.redis.start()
        self._stack.callback(self.redis.close)
        import psycopg

        with psycopg.connect(f"{self.pg.url}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        self.env = {**os.environ, "DATABASE_URL": f"{self.pg.url}/{DB_NAME}", "REDIS_URL": self.redis.url,
                    "CELERY_BROKER_URL": self.redis.url, "DJANGO_SETTINGS_MODULE": "config.settings",
                    "DB_CONN_HEALTH_CHECKS": "1", "CELERY_TASK_ALWAYS_EAGER": "0", "MEDIA_ROOT": str(self.root / "media")}
        migrate(self.env)
        setup_django(self.env)
        self.worker = CeleryWorker(self.env, self.root / "celery.log")
        self.worker.start()
        self._stack.callback(self.worker.close)
        server = ServerConfig("sync", self.cfg.workers, 1, 60)
        self.gun = self._stack.enter_context(Gunicorn(server, self.env, free_port(), self.root / "access.log"))
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connection

        connection.close()
        self._stack.close()

    # ---------------------------------------------------------------- faults

    def gunicorn_workers(self) -> list[int]:
        master = self.gun.proc.pid
        return sorted(pid for pid, (_, ppid, _, _) in _proc_stats().items() if ppid == master)

    def kill_gunicorn_workers(self, n: int = 2, gap_s: float = 1.0) -> str:
        killed = []
        for _ in range(n):
            workers = self.gunicorn_workers()
            if workers:
                # the busiest one (most CPU): with 32 clients every worker is mid-request almost always
                stats = _proc_stats()
                pid = max(workers, key=lambda p: stats.get(p, ("", 0, 0.0, 0.0))[2])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(gap_s)
        return f"SIGKILL gunicorn workers {killed} {gap_s:g} s apart"

    def inject(self, name: str) -> str:
        if name == "postgres-restart":
            self.pg.restart(down_s=self.cfg.outage_s)
            return f"pg_ctl stop -m immediate, {self.cfg.outage_s:g} s down, start"
        if name == "redis-restart":
            self.redis.restart(down_s=self.cfg.outage_s)
            return f"redis-server killed, {self.cfg.outage_s:g} s down, started empty"
        if name == "celery-kill9":
            self.worker.restart()
            return "SIGKILL worker + pool, new worker started"
        if name == "gunicorn-worker-kill9":
            return self.kill_gunicorn_workers()
        if name == "client-timeouts":
            return "no server fault; half the clients time out after 0.15 s (doubling per try) and resend"
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")

    # ---------------------------------------------------------------- checks

    def wait_healthy(self, timeout: float = RECOVERY_TIMEOUT_S) -> float | None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            try:
                with urllib.request.urlopen(f"{self.gun.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.2)
        return None

    def celery_probe(self, timeout: float = RECOVERY_TIMEOUT_S) -> float | None:
        """Plant an expired lease, send the reaper task through the broker, wait until it is reaped."""
        from django.db import connection
        from django.db.models import F

        from annotation.models import Assignment, AssignmentState, Pair
        from config.celery import app

        connection.close()  # the database may have restarted under this process's connection
        campaign = seed_campaign(n_pairs=1, label="probe")
        pair = Pair.objects.get(campaign=campaign)
        user_model = Assignment._meta.get_field("annotator").related_model
        user, _ = user_model.objects.get_or_create(username="chaos-probe")
        past = datetime.now(timezone.utc) - timedelta(minutes=1)
        Pair.objects.filter(pk=pair.pk).update(taken=F("taken") + 1)
        lease = Assignment.objects.create(pair=pair, campaign=campaign, annotator=user, a_on_left=True,
                                          state=AssignmentState.LEASED, leased_at=past, heartbeat_at=past,
                                          expires_at=past)
        t0 = time.monotonic()
        app.send_task("annotation.tasks.reap_expired_leases")
        while time.monotonic() - t0 < timeout:
            if Assignment.objects.filter(pk=lease.pk, state=AssignmentState.EXPIRED).exists():
                return time.monotonic() - t0
            time.sleep(0.2)
        return None


async def _load_with_fault(stack: Stack, cfg: LoadConfig, name: str, fault_at: float) -> tuple[LoadResult, str]:
    load = asyncio.create_task(run_load(cfg))
    await asyncio.sleep(fault_at)
    fault = await asyncio.to_thread(stack.inject, name)
    return await load, fault


def run_scenario(stack: Stack, name: str, tokens: list[str], seed: int = 0) -> ScenarioOutcome:
    from django.db import connection

    cfg = stack.cfg
    connection.close()
    campaign = seed_campaign(n_pairs=cfg.pairs, label=f"chaos-{name}")
    connection.close()
    timeouts = name == "client-timeouts"
    load_cfg = LoadConfig(base_url=stack.gun.url, campaign_id=campaign.pk, tokens=tokens, seconds=cfg.seconds,
                          retry_fraction=cfg.retry_fraction, seed=seed, resubmit_on_error=True, request_timeout_s=10,
                          timeout_fraction=0.5 if timeouts else 0.0, short_timeout_s=0.15)
    print(f"[chaos] {name}: {len(tokens)} clients x {cfg.seconds:g} s, fault at {cfg.fault_at:g} s", flush=True)
    result, fault = asyncio.run(_load_with_fault(stack, load_cfg, name, cfg.fault_at))
    outcome = ScenarioOutcome(name=name, fault=fault, load=result)
    outcome.healthy_after_s = stack.wait_healthy()
    if outcome.healthy_after_s is not None:
        outcome.recovery = asyncio.run(run_load(LoadConfig(
            base_url=stack.gun.url, campaign_id=campaign.pk, tokens=tokens, seconds=cfg.recovery_seconds,
            seed=seed + 1, request_timeout_s=10)))
    outcome.celery_reaped_s = stack.celery_probe()
    connection.close()
    outcome.violations = invariant_violations()
    acknowledged = result.acknowledged + (outcome.recovery.acknowledged if outcome.recovery else [])
    outcome.ack_problems = verify_acknowledged(acknowledged)
    print(f"[chaos] {name}: {'OK' if outcome.ok else 'FAILED'}; {fault}\n{result.summary()}", flush=True)
    for err in result.errors[:5]:
        print(f"[chaos]   error: {err}", flush=True)
    if outcome.recovery is not None:
        for err in outcome.recovery.errors[:5]:
            print(f"[chaos]   recovery error: {err}", flush=True)
    return outcome


def run_chaos(cfg: ChaosConfig, scenarios=SCENARIOS) -> list[ScenarioOutcome]:
    """Start the private stack once and run each scenario in turn (each on a fresh campaign)."""
    outcomes = []
    with Stack(cfg) as stack:
        tokens = create_annotators(cfg.clients, prefix="chaos-annotator")
        for i, name in enumerate(scenarios):
            outcomes.append(run_scenario(stack, name, tokens, seed=i))
    return outcomes


def _s(v) -> str:
    return "never" if v is None else f"{v:.1f}"


def report(outcomes: list[ScenarioOutcome]) -> str:
    rows = ["| scenario | fault | cycles | cycles/s | transient errors (retried) | other errors | replays ok "
            "| /healthz 200 after (s) | 3 s run after: cycles / errors | Celery probe reaped after (s) "
            "| invariant violations | acknowledged missing | result |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    for o in outcomes:
        rec = "-" if o.recovery is None else f"{o.recovery.cycles} / {o.recovery.error_count}"
        rows.append(f"| {o.name} | {o.fault} | {o.load.cycles} | {o.load.throughput:.1f} | "
                    f"{o.load.transient_error_count} | {o.unclean_errors} | {o.load.replays_ok} | "
                    f"{_s(o.healthy_after_s)} | {rec} | {_s(o.celery_reaped_s)} | "
                    f"{sum(len(v) for v in o.violations.values())} | {len(o.ack_problems)} | "
                    f"{'OK' if o.ok else 'FAILED'} |")
    return "\n".join(rows)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=20.0, help="load per scenario")
    p.add_argument("--fault-at", type=float, default=6.0, help="seconds into the load when the fault hits")
    p.add_argument("--pairs", type=int, default=5000)
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    p.add_argument("--scenario", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--no-write", action="store_true", help="print only; do not append to the results file")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/chaos.py",
                                                 *(sys.argv[1:] if argv is None else argv)])
    machine = machine_block()
    cfg = ChaosConfig(clients=args.clients, seconds=args.seconds, fault_at=args.fault_at, pairs=args.pairs,
                      workers=args.workers)
    outcomes = run_chaos(cfg, args.scenario)
    table = report(outcomes)
    print("\n" + table, flush=True)
    if not args.no_write:
        text = "\n".join([
            f"## Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}", "", machine, f"- command: `{command}`",
            f"- stack: private PostgreSQL 15 + Redis on loopback, {cfg.workers} sync gunicorn workers "
            f"(DB_CONN_MAX_AGE=60, health checks on), one Celery worker; {cfg.clients} annotators x {cfg.seconds:g} s "
            f"per scenario, fault at {cfg.fault_at:g} s, {cfg.retry_fraction:.0%} also resend every acknowledged "
            f"submit; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            "", table, ""])
        results_append(args.results, text, preamble="# Fault injection results\n\nAppended by "
                       "`benchmarks/chaos.py`; see its docstring and `benchmarks/README.md` for what is checked.")
        print(f"[chaos] appended to {args.results}", flush=True)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
