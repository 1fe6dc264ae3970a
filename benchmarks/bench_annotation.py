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
import logging
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.annotation_report import RunRecord, _ms, cpu_table, server_table, table, write_results  # noqa: E402
from benchmarks.annotation_scenario import (  # noqa: E402
    bench_database_url,
    create_annotators,
    invariant_violations,
    migrate,
    recreate_database,
    seed_campaign,
    setup_django,
    verify_acknowledged,
)
from benchmarks.annotation_server import CpuMeter, Gunicorn, ServerConfig, free_port, server_times  # noqa: E402
from benchmarks.loadgen import LatencyStats, LoadConfig, run_load  # noqa: E402
from benchmarks.machine import machine_block  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "annotation.md"


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
        from benchmarks.annotation_profile import profile_queries

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
