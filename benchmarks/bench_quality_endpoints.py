"""Label-quality endpoints on a campaign with ~100k judgments: cold (computed) and warm (cached).

    .venv/bin/python benchmarks/bench_quality_endpoints.py --prompts 556 --annotators 40 --repeat 5

What it does:
  1. drops and recreates the database `studio_quality_bench` on DATABASE_URL's server (default
     postgres://postgres@127.0.0.1:5432; --db-name to change it) and migrates it;
  2. bulk-creates a pairwise campaign (six dimensions, overlap 4): --prompts demo prompts x 5
     simulated generators, all 10 pairs per prompt, 3 submitted judgments per pair from
     --annotators simulated annotators (noise 0.05-0.3, two of them random clickers), plus
     --gold gold pairs answered by everyone: 556 prompts give 5,560 pairs and ~105k judgments;
  3. times, through Django's test client as a reviewer (full DRF stack, no network), each
     endpoint `cold` (its cache keys deleted first, so the report is computed from the
     database), `warm` (served from the Redis cache, keyed by the campaign's data version) and
     `after a new judgment` (the version changed just before the call: stale-while-revalidate
     for the campaign-wide reports, a recompute for the review queue); median and max;
  4. times `campaign_quality_refresh` (gold check, per-video Bradley-Terry, priorities, cache
     warm-up: the Celery task's work) and `next` (claim SQL with gold mixing) on the big campaign;
  5. appends a markdown table with machine, date, commit and command to
     benchmarks/results/quality.md (--no-write to only print).

Only the bench database and this campaign's cache keys are touched; the shared Redis is never
flushed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.quality_results import machine_block, recreate_database, write_results  # noqa: E402

ENDPOINTS = {
    "agreement": ("quality/agreement/", "agreement", ""),
    "leaderboard": ("quality/leaderboard/", "leaderboard", "boot=200"),
    "annotators": ("quality/annotators/", "annotators", ""),
    "review-queue": ("quality/review-queue/", "disputes", "std=1.0"),
}


def seed(*, n_prompts: int, n_annotators: int, n_gold: int):
    from datetime import timedelta

    from django.contrib.auth.models import Group, User
    from django.db.models import F
    from django.utils import timezone

    from annotation.models import Assignment, Campaign, Dimension, Judgment, Pair, Prompt, Video
    from annotation.services.gold import pair_mark_gold
    from demo import DIMENSIONS, GENERATORS, SimulatedAnnotator, demo_prompts, ground_truth, video_severities

    campaign = Campaign.objects.create(name="Quality bench", slug="quality-bench", overlap=4, gold_rate=0.05,
                                       min_gold_accuracy=0.6, min_gold_answers=10)
    campaign.dimensions.set(Dimension.objects.all())
    dims = dict(Dimension.objects.values_list("key", "id"))
    group = Group.objects.get(name="annotator")
    users = User.objects.bulk_create(User(username=f"qa-{i}") for i in range(n_annotators))
    group.user_set.add(*users)
    sims = [SimulatedAnnotator(noise=0.05 + 0.25 * i / n_annotators, seed=i, bad=i >= n_annotators - 2)
            for i in range(n_annotators)]
    prompts, truth = demo_prompts(n_prompts, seed=0), {}
    db_prompts = Prompt.objects.bulk_create(
        Prompt(text=p.text, initial_image=f"initial/{p.key}.png", initial_image_sha256=f"{i:064x}",
               action_label=p.action, split_key=f"{i:032x}") for i, p in enumerate(prompts))
    videos = Video.objects.bulk_create(
        Video(prompt=dbp, generator=g.name, seed=0, file=f"videos/{p.key}-{g.name}.mp4", sha256=f"{i:08x}{j:056x}",
              status="ready") for i, (p, dbp) in enumerate(zip(prompts, db_prompts)) for j, g in enumerate(GENERATORS))
    for video, (p, g) in zip(videos, ((p, g) for p in prompts for g in GENERATORS)):
        truth[video.pk] = ground_truth(video_severities(p, g, 0))
    pairs = Pair.objects.bulk_create(
        (Pair(campaign=campaign, video_a_id=a, video_b_id=b, overlap=campaign.overlap, random_key=(k * 0.618034) % 1)
         for k, (a, b) in enumerate(ab for i in range(n_prompts)
                                     for ab in combinations([v.pk for v in videos[5 * i:5 * i + 5]], 2))),
        batch_size=5000)
    gold = [pair_mark_gold(pair=p, answers=SimulatedAnnotator(noise=0).judge(truth[p.video_a_id], truth[p.video_b_id]))
            for p in pairs[:n_gold]]
    now = timezone.now()
    plan = [(p, (k + j) % n_annotators) for k, p in enumerate(pairs[n_gold:]) for j in range(3)]
    plan += [(p, u) for p in gold for u in range(n_annotators)]
    assignments = Assignment.objects.bulk_create(
        (Assignment(pair=p, campaign=campaign, annotator=users[u], a_on_left=True, state="submitted",
                    leased_at=now - timedelta(minutes=5), expires_at=now, heartbeat_at=now, finished_at=now,
                    client_key=f"b{p.pk}-{u}") for p, u in plan), batch_size=5000)
    judgments = (Judgment(assignment=a, pair=p, annotator=users[u], dimension_id=dims[key], strength=s)
                 for a, (p, u) in zip(assignments, plan)
                 for key, s in sims[u].judge(truth[p.video_a_id], truth[p.video_b_id], DIMENSIONS).items())
    Judgment.objects.bulk_create(judgments, batch_size=10000)
    per_pair = 3
    Pair.objects.filter(campaign=campaign, is_gold=False).update(taken=per_pair, completed=per_pair)
    Pair.objects.filter(campaign=campaign, is_gold=True).update(taken=n_annotators, completed=n_annotators)
    assert Pair.objects.filter(taken__gt=F("overlap")).count() == 0
    return campaign


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), max(samples)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--prompts", type=int, default=556)
    p.add_argument("--annotators", type=int, default=40)
    p.add_argument("--gold", type=int, default=20)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--db-name", default="studio_quality_bench")
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)

    header = machine_block()
    url = recreate_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"), args.db_name)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT,
                   check=True)
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.cache import cache
    from django.db import connection
    from rest_framework.test import APIClient

    from django.utils import timezone

    from annotation.api import quality_views
    from annotation.models import Assignment, Judgment
    from annotation.selectors.quality_cache import quality_cache_key
    from annotation.services.leasing import assignment_lease_next
    from annotation.services.quality import campaign_quality_refresh
    from annotation.services.submissions import assignment_skip

    t0 = time.perf_counter()
    campaign = seed(n_prompts=args.prompts, n_annotators=args.annotators, n_gold=args.gold)
    n_judgments = Judgment.objects.filter(pair__campaign=campaign).count()
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have after a bulk load
        cursor.execute("ANALYZE")
    print(f"seeded {n_judgments} judgments in {time.perf_counter() - t0:.0f} s", flush=True)
    reviewer = User.objects.create(username="qa-reviewer")
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    client = APIClient()
    client.force_authenticate(reviewer)

    # the stale-while-revalidate hook would queue a Celery task on the shared broker: not here.
    # What that background recompute costs is the `cold` column.
    quality_views.refresh_quality_reports.delay = lambda campaign_id: None
    last_assignment = Assignment.objects.filter(campaign=campaign).order_by("-id").values_list("id", flat=True)[0]
    rows = []
    for name, (tail, kind, params) in ENDPOINTS.items():
        url_path = f"/api/campaigns/{campaign.pk}/{tail}"

        def call():
            response = client.get(url_path)
            assert response.status_code == 200, response.content[:300]

        def cold():
            for version in (None, "latest"):
                cache.delete(quality_cache_key(kind=kind, campaign_id=campaign.pk, params=params, version=version))
            call()

        def after_new_judgment():
            # a new submission changes the data version, as it does all day while annotators work
            Assignment.objects.filter(pk=last_assignment).update(finished_at=timezone.now())
            call()

        cold_ms = timed(cold, args.repeat)
        warm_ms = timed(call, args.repeat * 2)
        stale_ms = timed(after_new_judgment, args.repeat * 2)
        rows.append((name, cold_ms, warm_ms, stale_ms))
        print(f"{name}: cold median {cold_ms[0]:.0f} ms, warm {warm_ms[0]:.1f} ms, after a new judgment "
              f"{stale_ms[0]:.1f} ms", flush=True)

    refresh_ms = timed(lambda: campaign_quality_refresh(campaign=campaign), 2)
    annotator = User.objects.create(username="qa-fresh")
    annotator.groups.add(Group.objects.get(name="annotator"))

    def lease_and_skip():
        assignment = assignment_lease_next(campaign=campaign, annotator=annotator)
        assignment_skip(assignment_id=assignment.pk, annotator=annotator, client_key=f"s{assignment.pk}")

    lease_ms = timed(lease_and_skip, 20)
    # the same without gold: what the gold check and mixing add to every `next`
    type(campaign).objects.filter(pk=campaign.pk).update(gold_rate=0.0, qualification_gold_count=0)
    lease_plain_ms = timed(lease_and_skip, 20)
    lines = [f"## Quality endpoints on {n_judgments:,} judgments ({args.prompts * 10:,} pairs, "
             f"{args.annotators} annotators, {args.gold} gold pairs)", "", header,
             "- Django test client in-process (full DRF stack, no network), PostgreSQL on 127.0.0.1, Redis cache; "
             "OMP_NUM_THREADS=1", "",
             "`cold`: nothing cached, the report is computed from the database in the request. `warm`: served "
             "from the cache for the current data version. `after a new judgment`: the data changed just before "
             "each call; the three campaign-wide reports are then served stale (marked `stale: true`) while a "
             "worker recomputes them (not run here); the review queue is never served stale: it recomputes its dispute list (one SQL aggregate) in the request.", "",
             "| endpoint | cold median (ms) | cold max | warm median (ms) | warm max | after a new judgment median "
             "(ms) | max |", "|---|---|---|---|---|---|---|"]
    for name, cold_ms, warm_ms, stale_ms in rows:
        lines.append(f"| {name} | {cold_ms[0]:.0f} | {cold_ms[1]:.0f} | {warm_ms[0]:.1f} | {warm_ms[1]:.1f} | "
                     f"{stale_ms[0]:.1f} | {stale_ms[1]:.1f} |")
    lines += ["", f"- `campaign_quality_refresh` (gold check, Bradley-Terry per dimension, VideoScore rows, "
                  f"priorities, cache warm-up): median {refresh_ms[0] / 1000:.1f} s over 2 runs",
              f"- `next` + skip (service calls, 20 each): gold on (rate 0.05, gold check) median {lease_ms[0]:.1f} ms "
              f"(max {lease_ms[1]:.1f}); gold off median {lease_plain_ms[0]:.1f} ms (max {lease_plain_ms[1]:.1f})"]
    text = "\n".join(lines)
    print("\n" + text)
    if not args.no_write:
        write_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
