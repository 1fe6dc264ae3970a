"""What the label-quality benchmarks share (bench_selection.py, bench_quality_endpoints.py): the
results file with its header, and a scratch database recreated per run. Its own module so neither
benchmark imports the other."""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.machine import machine_block as shared_machine_block, results_append

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "quality.md"


def machine_block(*, postgres: bool = False) -> str:
    command = f"- command: `{' '.join([Path(sys.executable).name] + sys.argv)}`"
    return shared_machine_block(postgres=postgres, free=False) + "\n" + command


def write_results(text: str) -> None:
    results_append(RESULTS, text, preamble="# Label-quality benchmarks\n\nAppended by `benchmarks/bench_selection.py` "
                   "and `benchmarks/bench_quality_endpoints.py`; see their docstrings.")


def recreate_database(database_url: str, db_name: str) -> str:
    """Drop and create `db_name` on the server of `database_url`; returns its URL."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    with psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        ident = sql.Identifier(db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    return urlunsplit((parts.scheme, parts.netloc, f"/{db_name}", "", ""))
