"""Fault injection at 32 annotators (benchmarks/chaos.py): after PostgreSQL and Redis restarts,
a SIGKILLed Celery worker, SIGKILLed gunicorn workers and clients that time out and retry, the
product recovers by itself, the invariant checker reports nothing and every acknowledged
submission is stored.

Each scenario starts its own private PostgreSQL cluster, Redis, Celery worker and gunicorn on free
loopback ports (never the shared 5432/6379) in a subprocess, so it needs no test database:
`make chaos-test` or `scripts/test -m chaos tests/reliability`. About a minute per scenario."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.chaos import SCENARIOS
from benchmarks.chaos_services import PG_BIN

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.slow,
    pytest.mark.skipif(not (PG_BIN / "initdb").exists() or shutil.which("redis-server") is None,
                       reason="needs the PostgreSQL server binaries (PG_BIN) and redis-server"),
]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_product_recovers_from_the_fault_with_nothing_lost(scenario):
    run = subprocess.run(
        [sys.executable, "benchmarks/chaos.py", "--scenario", scenario, "--clients", "32", "--seconds", "15",
         "--fault-at", "5", "--pairs", "3000", "--no-write"],
        cwd=ROOT, capture_output=True, text=True, timeout=280,
    )
    row = next((line for line in run.stdout.splitlines() if line.startswith(f"| {scenario} |")), None)
    assert row is not None, run.stdout[-3000:] + run.stderr[-3000:]
    cells = [c.strip() for c in row.strip("|").split("|")]
    cycles, other_errors, violations, missing, verdict = int(cells[2]), int(cells[5]), int(cells[10]), int(cells[11]), cells[12]
    assert cycles > 0, row
    assert (other_errors, violations, missing) == (0, 0, 0), row
    assert re.fullmatch(r"\d+ / 0", cells[8]), f"errors in the run after the fault: {row}"
    assert cells[7] != "never" and cells[9] != "never", f"no recovery (healthz or Celery): {row}"
    assert verdict == "OK" and run.returncode == 0, row
