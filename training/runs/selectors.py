"""Reads of runs and reward models for the API and the run pages."""
from __future__ import annotations

from django.db.models import QuerySet

from training.models import RetrainPolicy, RewardModelVersion, RunMetric, TrainingRun

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
