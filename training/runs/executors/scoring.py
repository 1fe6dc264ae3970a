"""Scoring run: score every processed video of the chosen campaigns with a reward model version
and store RewardModelScore rows (active pair selection and GAPO's pair building read them).

A model with per-frame heads (config.frame_dimensions, issue #22) also stores each video's score
curve in the same row; at the end the run names the videos with the deepest dips
(metrics["curve_videos"]) for its page."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotation.models import Pair, Video
from training.models import RewardModelScore, TrainingRun
from training.runs.checkpoints import local_checkpoint
from training.runs.curves import curve_examples, curve_stored
from training.runs.executors.common import local_media, media_root
from training.runs.options import ScoringRunOptions
from training.runs.reporter import RunReporter
from training.runs.services import run_succeed


def _videos(campaign_ids: list[int]) -> list[Video]:
    pairs = Pair.objects.filter(campaign_id__in=campaign_ids)
    ids = set(pairs.values_list("video_a_id", flat=True)) | set(pairs.values_list("video_b_id", flat=True))
    return list(Video.objects.filter(pk__in=ids).select_related("prompt").order_by("pk"))


def execute(run: TrainingRun, options: ScoringRunOptions, reporter: RunReporter) -> None:
    from training.reward.scoring import AnimeReward

    version = run.reward_model
    campaign_ids = options.campaign_ids or list(version.dataset_version.campaign_ids)
    batch = options.batch_size
    reward = AnimeReward.from_checkpoint(local_checkpoint(version.checkpoint_uri), cache_dir=str(Path(settings.FRAME_CACHE_ROOT) / "reward"))
    videos = _videos(campaign_ids)
    done = set(RewardModelScore.objects.filter(model_version=version, video__in=videos).values_list("video_id", flat=True))
    todo = [v for v in videos if v.pk not in done]  # a resumed attempt skips what is stored
    root = media_root()
    batches = (len(videos) + batch - 1) // batch
    TrainingRun.objects.filter(pk=run.pk).update(total_steps=batches)
    run.total_steps = batches
    with_curves = bool(reward.config.frame_dimensions)
    reporter.log(f"scoring {len(todo)} of {len(videos)} videos with reward model {version.pk}"
                 + (f" (score curves: {', '.join(reward.config.frame_dimensions)})" if with_curves else ""))
    step = (len(videos) - len(todo)) // batch
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        local_media([v.file.name for v in chunk] + [v.prompt.initial_image.name for v in chunk if v.prompt.initial_image])
        items = reward.prepare([str(root / v.file.name) for v in chunk], [v.prompt.text for v in chunk],
                               [str(root / v.prompt.initial_image.name) if v.prompt.initial_image else None
                                for v in chunk])
        rows, curves = reward.scores_and_curves(items, batch)  # one forward pass; no per-frame heads: null curves
        curves = [curve_stored(c) for c in curves] if curves is not None else [None] * len(chunk)
        with transaction.atomic():
            RewardModelScore.objects.bulk_create(
                [RewardModelScore(model_version=version, video=v, scores=row, curves=curve)
                 for v, row, curve in zip(chunk, rows, curves)],
                update_conflicts=True, unique_fields=["model_version", "video"], update_fields=["scores", "curves"])
        step += 1
        reporter.on_step({"step": min(step, batches), "videos": start + len(chunk),
                          "mean_overall": sum(r["overall"] for r in rows) / len(rows)})
    metrics = {"videos": len(videos), "reward_model": version.pk}
    if with_curves:
        stored = RewardModelScore.objects.filter(model_version=version, video__in=videos).values_list("video_id", "curves")
        metrics["curve_videos"] = curve_examples(dict(stored.iterator()))
    run_succeed(run, metrics=metrics)
