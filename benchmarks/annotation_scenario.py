"""The annotation benches' database side: a scratch database, annotators with tokens, a fresh
campaign per run, and the checks after a run (invariants, every acknowledged submission stored).

Used by benchmarks/bench_annotation.py (throughput) and benchmarks/chaos.py (fault injection)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
N_DIMENSIONS = 6


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
