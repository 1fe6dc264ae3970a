"""Reads of runs and reward models for the API and the run pages."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from annotation.models import Campaign, Pair
from training.models import RetrainPolicy, RewardModelScore, RewardModelVersion, RunMetric, TrainingRun

MAX_SERIES_POINTS = 500


def run_list(*, kind: str | None = None, state: str | None = None) -> QuerySet[TrainingRun]:
    runs = (TrainingRun.objects.select_related("created_by", "dataset_version", "reward_model", "reward_model_version")
            .order_by("-created_at", "-id"))
    if kind:
        runs = runs.filter(kind=kind)
    if state:
        runs = runs.filter(state=state)
    return runs


def run_get(*, run_id: int) -> TrainingRun | None:
    return run_list().filter(pk=run_id).first()


def run_metric_series(*, run: TrainingRun, after_step: int = 0, max_points: int = MAX_SERIES_POINTS) -> list[dict]:
    """[{step, values}] after `after_step`, thinned evenly to at most max_points (the last point is
    always kept, so a chart ends where the run is)."""
    steps = list(RunMetric.objects.filter(run=run, step__gt=after_step).order_by("step").values_list("step", flat=True))
    if len(steps) > max_points:
        stride = len(steps) / max_points
        keep = {steps[int(i * stride)] for i in range(max_points)} | {steps[-1]}
    else:
        keep = set(steps)
    rows = RunMetric.objects.filter(run=run, step__in=keep).order_by("step").values("step", "values")
    return [{"step": r["step"], "values": r["values"]} for r in rows]


def reward_model_list() -> QuerySet[RewardModelVersion]:
    return RewardModelVersion.objects.select_related("run", "dataset_version").order_by("-created_at", "-id")


def retrain_policy_list() -> QuerySet[RetrainPolicy]:
    return RetrainPolicy.objects.order_by("name")


def campaign_model_scores(*, campaign: Campaign, dimension_keys: Iterable[str]) -> dict[int, dict[str, float]]:
    """video id -> {dimension key: score in [0, 1]} of the promoted reward model, for the videos
    of the campaign's pairs and the given dimensions; {} when no model is promoted. Active pair
    selection's model scores: settings.QUALITY_MODEL_SCORES names this function, and the quality
    refresh task (annotation.tasks.refresh_quality) passes its result to the refresh."""
    keys = set(dimension_keys)
    pairs = Pair.objects.filter(campaign=campaign)
    rows = (RewardModelScore.objects.filter(model_version__promoted=True)
            .filter(Q(video__in=pairs.values("video_a")) | Q(video__in=pairs.values("video_b")))
            .values_list("video_id", "scores"))
    out = {}
    for video_id, scores in rows:
        picked = {k: float(v) for k, v in (scores or {}).items() if k in keys and isinstance(v, (int, float))}
        if picked:
            out[video_id] = picked
    return out
