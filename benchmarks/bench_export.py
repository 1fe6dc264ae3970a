"""Dataset export at scale: 1,000,000 judgments to Parquet + JSONL, wall time and peak RSS.

    .venv/bin/python benchmarks/bench_export.py                      # generate 1M judgments, export, record
    .venv/bin/python benchmarks/bench_export.py --reuse-db --repeat 3 # export again on the existing data

What it does:
  1. drops and creates the database `studio_bench_export` on DATABASE_URL's server (default
     postgres://postgres@127.0.0.1:5432; the application database is not touched) and migrates it;
  2. generates, with set-based `INSERT ... SELECT generate_series` statements, a consistent
     campaign: --annotators users, prompts whose initial images are shared by two prompts each,
     4 videos per prompt, the 6 pairs of each prompt's videos, 3 submitted assignments per pair
     (distinct annotators), one judgment per assignment and dimension (exactly --judgments of
     them; strengths correlated within a pair so agreement is realistic), and a VideoScore row
     per video and dimension; then VACUUM ANALYZE;
  3. exports in a FRESH child process (`--child`), exactly as the Celery task does
     (`dataset_version_create` + `dataset_version_build`), and measures its wall time and peak
     RSS (VmHWM from /proc/self/status; ru_maxrss as a cross-check); --repeat N exports again
     and checks that every repeat has the same version sha256;
  4. appends the machine, date, commit, command and numbers to benchmarks/results/export.md
     (--no-write to only print). Exit status 1 when a target is missed (< 60 s, < 500 MB).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine import machine_block as shared_machine_block, results_append  # noqa: E402

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
RESULTS = ROOT / "benchmarks" / "results" / "export.md"
TARGET_WALL_S, TARGET_RSS_MB = 60.0, 500.0
SLUG = "bench-export"
VIDEOS_PER_PROMPT, PAIRS_PER_PROMPT, OVERLAP, N_DIMENSIONS = 4, 6, 3, 6


def server_url(database_url: str | None) -> str:
    parts = urlsplit(database_url or DEFAULT_SERVER_URL)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def recreate_database(database_url: str | None, db_name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url(database_url))
    with psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                         user=parts.username or "postgres", password=parts.password, dbname="postgres",
                         autocommit=True) as conn:
        ident = sql.Identifier(db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --------------------------------------------------------------------------- generation

# (model, {column: SQL expression}, FROM ... clause). Columns not named get their Django default,
# so the bench keeps working when fields with defaults are added to these models.
GENERATE = [
    ("auth.User", {
        "password": "'!'", "is_superuser": "false", "username": "'bench-annotator-' || g", "is_staff": "false",
        "is_active": "true", "date_joined": "now()",
    }, "FROM generate_series(1, %(annotators)s) g"),
    # prompts: two prompts per initial image; split key = the image's key, as imports default it
    ("annotation.Prompt", {
        "text": "'Bench scene ' || g || E': a girl with \"pink\" hair turns and waves\\nat the camera'",
        "initial_image": "'initial/' || encode(sha256(('image-' || g / 2)::bytea), 'hex') || '.png'",
        "initial_image_sha256": "encode(sha256(('image-' || g / 2)::bytea), 'hex')",
        "action_label": "(ARRAY['waving', 'turning', 'running', 'dancing'])[1 + g %% 4]",
        "split_key": "left(encode(sha256(('initial:' || g / 2)::bytea), 'hex'), 32)",
        "external_key": "'bench-' || g",
    }, "FROM generate_series(0, %(prompts)s - 1) g"),
    # videos: one per generator per prompt
    ("annotation.Video", {
        "prompt_id": "p.id", "generator": "'generator-' || k", "seed": "p.id * 10 + k",
        "file": "'videos/' || p.id || '-' || k || '.mp4'", "fps": "16.0", "frame_count": "49", "width": "720",
        "height": "480", "duration_s": "3.0625", "codec": "'h264'", "size_bytes": "1500000 + (p.id * 7919 + k) %% 500000",
        "sha256": "encode(sha256(('video-' || p.id || '-' || k)::bytea), 'hex')", "status": "'ready'",
    }, "FROM annotation_prompt p CROSS JOIN generate_series(0, %(videos_per_prompt)s - 1) k"),
    # pairs: every pair of one prompt's videos (video_a < video_b), as many as needed
    ("annotation.Pair", {
        "campaign_id": "%(campaign_id)s", "video_a_id": "va.id", "video_b_id": "vb.id", "is_gold": "false",
        "priority": "0", "random_key": "random()", "overlap": "%(overlap)s", "taken": "%(overlap)s",
        "completed": "%(overlap)s",
    }, """FROM annotation_video va JOIN annotation_video vb ON vb.prompt_id = va.prompt_id AND va.id < vb.id
          ORDER BY va.id, vb.id LIMIT %(pairs)s"""),
    # assignments: OVERLAP distinct annotators per pair, all submitted a day ago
    ("annotation.Assignment", {
        "pair_id": "p.id", "campaign_id": "p.campaign_id",
        "annotator_id": "u.ids[1 + (p.id + k) %% array_length(u.ids, 1)]", "a_on_left": "(p.id + k) %% 2 = 0",
        "state": "'submitted'", "leased_at": "now() - interval '1 day'", "expires_at": "now() - interval '1 day'",
        "heartbeat_at": "now() - interval '1 day'", "finished_at": "now() - interval '1 day'",
        "client_key": "md5(p.id || '-' || k)", "time_spent_ms": "2000 + (p.id * 37 + k * 11) %% 30000",
    }, """FROM annotation_pair p CROSS JOIN generate_series(0, %(overlap)s - 1) k
          CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM auth_user
                      WHERE username LIKE 'bench-annotator-%%') u"""),
    # judgments: exactly N, one per assignment and dimension; a pair's votes share a base strength
    ("annotation.Judgment", {
        "assignment_id": "a.id", "pair_id": "a.pair_id", "annotator_id": "a.annotator_id", "dimension_id": "d.id",
        "strength": """LEAST(2, GREATEST(-2, ((a.pair_id * 7 + d.id * 3) %% 5) - 2
                                      + CASE WHEN (a.id * 13 + d.id) %% 4 = 0 THEN 1 ELSE 0 END))""",
        "created_at": "a.finished_at",
    }, "FROM annotation_assignment a CROSS JOIN annotation_dimension d ORDER BY a.id, d.id LIMIT %(judgments)s"),
    # stored human scores, one per video and dimension
    ("annotation.VideoScore", {
        "campaign_id": "%(campaign_id)s", "video_id": "v.id", "dimension_id": "d.id",
        "bt_score": "((v.id * 31 + d.id) %% 1000) / 250.0 - 2.0", "bt_scaled": "((v.id * 31 + d.id) %% 1000) / 999.0",
        "n": "9", "computed_at": "now()",
    }, "FROM annotation_video v CROSS JOIN annotation_dimension d"),
]


def insert_sql(model, given: dict[str, str], source: str, params: dict) -> str:
    """INSERT ... SELECT with `given` expressions and every other NOT NULL column's Django default."""
    from django.db import connection, models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in given:
            continue
        columns.append(field.column)
        if field.column in given:
            values.append(given[field.column])
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        elif field.get_default() is not None:  # a declared default, or "" for text fields
            key = f"default_{model._meta.db_table}_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            values.append(f"%({key})s")
        else:
            raise SystemExit(f"bench_export: {model.__name__}.{field.name} is NOT NULL without a default; "
                             "give it an expression in GENERATE")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"


def generate(judgments: int, annotators: int) -> dict:
    from django.apps import apps
    from django.db import connection

    from annotation.models import Campaign, Dimension

    assignments = -(-judgments // N_DIMENSIONS)
    pairs = -(-assignments // OVERLAP)
    prompts = -(-pairs // PAIRS_PER_PROMPT)
    campaign = Campaign.objects.create(name="Bench export", slug=SLUG, overlap=OVERLAP)
    campaign.dimensions.set(Dimension.objects.all())
    params = {"annotators": annotators, "prompts": prompts, "videos_per_prompt": VIDEOS_PER_PROMPT,
              "campaign_id": campaign.pk, "overlap": OVERLAP, "pairs": pairs, "judgments": judgments}
    timings = {}
    with connection.cursor() as cursor:
        for label, given, source in GENERATE:
            try:
                model = apps.get_model(label)
            except LookupError:  # e.g. a studio without VideoScore
                continue
            started = time.perf_counter()
            cursor.execute(insert_sql(model, given, source, params), params)
            timings[model._meta.db_table] = round(time.perf_counter() - started, 1)
        cursor.execute("SELECT count(*) FROM annotation_judgment")
        (n,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    assert n == judgments, (n, judgments)
    return {"judgments": n, "pairs": pairs, "prompts": prompts, "videos": prompts * VIDEOS_PER_PROMPT,
            "annotators": annotators, "insert_seconds": timings}


# --------------------------------------------------------------------------- the measured child

def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(database_url: str, out_dir: str, same_as: int | None) -> None:
    setup_django(database_url)
    from django.conf import settings

    from annotation.models import Campaign
    from training.exports.services import dataset_version_build, dataset_version_create, dataset_version_rebuild
    from training.models import DatasetVersion

    # Loaded before the baseline, as a warm worker has them: the peak minus the baseline is the build.
    import training.exports.build  # noqa: F401  (pyarrow, pyarrow.parquet, pyarrow.compute)
    from annotation.quality import consensus  # noqa: F401  (scipy)

    settings.DATASETS_ROOT = Path(out_dir)
    baseline_kb = _status_kb("VmRSS")
    if same_as:  # a repeat rebuilds the same description: it must give the same version hash
        version = dataset_version_rebuild(version=DatasetVersion.objects.get(pk=same_as), enqueue=False)
    else:
        version = dataset_version_create(campaigns=[Campaign.objects.get(slug=SLUG)], enqueue=False)
    started = time.perf_counter()
    version = dataset_version_build(version_id=version.pk)
    wall = time.perf_counter() - started
    folder = Path(out_dir) / str(version.pk)
    sizes = {}
    for record in version.files.all():
        key = f"{record.format}:{record.table or 'card'}"
        sizes[key] = sizes.get(key, 0) + record.size_bytes
    print(json.dumps({
        "status": version.status, "error": version.error, "wall_s": round(wall, 2),
        "peak_rss_mb": round(_status_kb("VmHWM") / 1024, 1),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "baseline_rss_mb": round(baseline_kb / 1024, 1), "rows": version.rows_written,
        "id": version.pk, "row_counts": version.row_counts, "sha256": version.sha256, "bytes": sizes,
        "folder": str(folder),
    }))


def run_child(database_url: str, out_dir: str, same_as: int | None) -> dict:
    command = [sys.executable, __file__, "--child", "--database-url", database_url, "--out", out_dir]
    if same_as:
        command += ["--same-as", str(same_as)]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"export child failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report

def machine_block() -> str:
    import pyarrow

    return shared_machine_block(versions={"pyarrow": pyarrow.__version__})


def report(command: str, data: dict | None, runs: list[dict]) -> str:
    lines = ["", f"## {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", "", machine_block(), "",
             f"Command: `{command}`", ""]
    if data:
        lines += [f"Data: {data['judgments']:,} judgments, {data['pairs']:,} pairs, {data['videos']:,} videos, "
                  f"{data['prompts']:,} prompts, {data['annotators']} annotators; insert seconds "
                  f"{data['insert_seconds']}", ""]
    lines += ["| run | wall s | peak RSS MB (VmHWM) | baseline RSS MB | rows written | status | version sha256 |",
              "|---|---|---|---|---|---|---|"]
    for i, run in enumerate(runs, 1):
        lines.append(f"| {i} | {run['wall_s']} | {run['peak_rss_mb']} | {run['baseline_rss_mb']} | "
                     f"{run['rows']:,} | {run['status']} | `{run['sha256'][:16]}` |")
    sizes = runs[-1]["bytes"]
    lines += ["", "Output bytes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes.items())), ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgments", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=200)
    parser.add_argument("--db-name", default="studio_bench_export")
    parser.add_argument("--reuse-db", action="store_true", help="skip drop/create/migrate/generate")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--same-as", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database_url, args.out, args.same_as)
        return 0

    database_url = f"{server_url(os.environ.get('DATABASE_URL'))}/{args.db_name}"
    data = None
    if not args.reuse_db:
        print(f"creating {args.db_name} and migrating ...", flush=True)
        recreate_database(os.environ.get("DATABASE_URL"), args.db_name)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": database_url})
        setup_django(database_url)
        started = time.perf_counter()
        data = generate(args.judgments, args.annotators)
        print(f"generated in {time.perf_counter() - started:.0f} s: {data}", flush=True)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as out_dir:
        for i in range(args.repeat):
            run = run_child(database_url, out_dir, runs[0]["id"] if runs else None)
            print(json.dumps(run), flush=True)
            runs.append(run)
    text = report(shlex.join([Path(sys.executable).name, *sys.argv]), data, runs)
    print(text)
    if not args.no_write:
        results_append(RESULTS, text, preamble="# Dataset export benchmark results\n\nAppended by "
                       "`benchmarks/bench_export.py` (see its docstring). Targets: < 60 s and < 500 MB peak RSS "
                       "for 1,000,000 judgments.")
    ok = all(r["status"] == "ready" and r["wall_s"] < TARGET_WALL_S and r["peak_rss_mb"] < TARGET_RSS_MB
             for r in runs)
    if len({r["sha256"] for r in runs}) > 1:
        print("repeats produced different version hashes", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
