"""Launcher behind the README's two commands (`scripts/run`, `scripts/test`).

    scripts/run                # web + Celery worker + beat with demo data on http://127.0.0.1:8000
    scripts/test               # the whole default test suite (slow load/chaos runs: scripts/test -m slow)

Both start embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.embedded import start_embedded_services  # noqa: E402
from config.env import run_env_write  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent


def _data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR", ROOT / "var"))


def _with_services(data_dir: Path):
    services = start_embedded_services(data_dir)
    for line in services.started:
        print(f"[studio] started {line}", flush=True)
    env = {**os.environ, **services.env, "DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    # Small numeric fits (Bradley-Terry, L-BFGS) run ~5x slower when BLAS threads fight over 2 cores.
    env.setdefault("OMP_NUM_THREADS", "1")

    return services, env


def _manage(env, *args: str) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def cmd_run(args) -> int:
    data_dir = _data_dir()
    services, env = _with_services(data_dir)
    # Persistent connections: without them every request pays a PostgreSQL backend start (~40% of
    # throughput at 8 annotators in benchmarks/results/annotation.md).
    env.setdefault("DB_CONN_MAX_AGE", "60")
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    # the demo arrives labelled by 2 simulated annotators (users sim-1, sim-2), so the first "Retrain now"
    # has data; overlap 3 leaves one judgment per pair for the people who sign in
    _manage(env, "seed_demo", "--simulate", str(args.simulate), "--prompts", str(args.demo_prompts))
    bind = f"{args.host}:{args.port}"
    env_file = run_env_write(data_dir, env)
    # Two workers: training holds the gpu queue for minutes, and exports, media and quality refreshes
    # must never wait behind it (docs/operations.md).
    children = {
        "web": subprocess.Popen([str(BIN / "gunicorn"), "config.wsgi:application", "--bind", bind, "--workers",
                                 str(args.web_workers), "--keep-alive", "75", "--access-logfile", "-"], env=env, cwd=ROOT),
        "worker": subprocess.Popen([str(BIN / "celery"), "-A", "config", "worker", "-Q", "default,media",
                                    "--concurrency", "1", "--loglevel", "INFO", "-n", "studio-worker@%h"], env=env, cwd=ROOT),
        "gpu-worker": subprocess.Popen([str(BIN / "celery"), "-A", "config", "worker", "-Q", env.get("RUNS_QUEUE") or "gpu",
                                        "--concurrency", "1", "--loglevel", "INFO", "-n", "studio-gpu@%h"], env=env, cwd=ROOT),
        "beat": subprocess.Popen([str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                                  "--schedule", str(data_dir / "celerybeat-schedule")], env=env, cwd=ROOT),
    }
    print(f"\n[studio] AnimeReward Studio is running at http://{bind}/", flush=True)
    print("[studio] demo sign-ins (username / password):", flush=True)
    print("[studio]   alice / alice-demo-pass   (annotator)", flush=True)
    print("[studio]   bob   / bob-demo-pass     (annotator)", flush=True)
    print("[studio]   rita  / rita-demo-pass    (reviewer)", flush=True)
    print("[studio]   admin / admin-demo-pass   (admin, /admin/)", flush=True)
    print(f"[studio] services for manage.py in another terminal: {env_file} (read automatically), e.g.", flush=True)
    print("[studio]   .venv/bin/python manage.py check_invariants", flush=True)
    print("[studio] press Ctrl-C to stop\n", flush=True)

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                print(f"[studio] {name} exited with {proc.returncode}; stopping", flush=True)
                stopping, exit_code = True, 1
                break
        time.sleep(0.5)
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in children.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    env_file.unlink(missing_ok=True)
    print("[studio] stopped", flush=True)
    del services
    return exit_code


def cmd_test(args) -> int:
    services, env = _with_services(_data_dir() / "test")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("HF_DATASETS_OFFLINE", "1")
    # the 25 slowest tests close every default run, so the suite's time budget (README) can be watched from CI logs
    pytest_args = args.pytest_args or ["-m", "not slow", "--durations=25"]
    code = subprocess.run([PY, "-m", "pytest", *pytest_args], env=env, cwd=ROOT).returncode
    frontend = ROOT / "frontend" / "package.json"
    if code == 0 and frontend.exists() and not args.pytest_args:
        code = subprocess.run(["npm", "test", "--silent"], cwd=ROOT / "frontend", env=env).returncode
    del services
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run web + worker + beat with demo data")
    run.add_argument("--host", default=os.environ.get("STUDIO_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("STUDIO_PORT", "8000")))
    run.add_argument("--web-workers", type=int, default=2)
    run.add_argument("--simulate", type=int, default=2, help="simulated annotators labelling the demo (0: none)")
    run.add_argument("--demo-prompts", type=int, default=16, help="demo prompts rendered on the first start")
    test = sub.add_parser("test", help="run the test suite")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments passed to pytest")
    args = parser.parse_args()
    return cmd_run(args) if args.command == "run" else cmd_test(args)


if __name__ == "__main__":
    sys.exit(main())
