"""Reads of runs and reward models for the API and the run pages."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from annotation.models import Campaign, Pair, Video
from training.models import RetrainPolicy, RewardModelScore, RewardModelVersion, RunKind, RunMetric, RunState, TrainingRun
from training.runs.curves import curve_dip

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


# Score curves (issue #22) -------------------------------------------------------------------------

MAX_CURVE_VIDEOS = 50


def reward_model_frame_dimensions(version: RewardModelVersion) -> list[str]:
    """The temporal dimensions the model has per-frame heads for ([] for a model that gives one number),
    read from its run's validated config, which lists every RewardConfig field."""
    dims = (version.run.config or {}).get("frame_dimensions") if version.run_id else None
    return [d for d in dims if isinstance(d, str)] if isinstance(dims, list) else []


def _curve_video(video: Video, score: RewardModelScore | None) -> dict:
    storage = video._meta.get_field("rendition").storage
    curves = score.curves if score is not None else None
    return {"video": video.pk, "url": storage.url(video.rendition.name) if video.rendition.name else None,
            "prompt": video.prompt.text, "frame_count": video.rendition_frame_count, "fps": video.rendition_fps,
            "duration_s": video.rendition_duration_s, "scored": score is not None,
            "scores": score.scores if score is not None else None, "curves": curves, "dip": curve_dip(curves)}


def reward_model_curves(*, version: RewardModelVersion | None, video_ids: list[int]) -> dict:
    """The model's score curves of the given videos, in the order asked:
    {"model": {"id", "frame_dimensions"} | None, "videos": [{"video", "url", "prompt", "frame_count", "fps",
    "duration_s", "scored", "scores", "curves", "dip"}]}. "curves" is null when the model has no per-frame
    heads or has not scored the video ("scored" tells which); unknown ids are left out."""
    if version is None:
        return {"model": None, "videos": []}
    videos = Video.objects.filter(pk__in=video_ids).select_related("prompt").in_bulk()
    scores = {s.video_id: s for s in RewardModelScore.objects.filter(model_version=version, video_id__in=video_ids)}
    return {"model": {"id": version.pk, "frame_dimensions": reward_model_frame_dimensions(version)},
            "videos": [_curve_video(videos[i], scores.get(i)) for i in dict.fromkeys(video_ids) if i in videos]}


def promoted_model_curves(*, video_ids: list[int]) -> dict:
    """reward_model_curves of the promoted model (the pair page's plot; "model" null when none is)."""
    version = RewardModelVersion.objects.filter(promoted=True).select_related("run").first()
    return reward_model_curves(version=version, video_ids=video_ids)


def run_curves(*, run: TrainingRun) -> dict | None:
    """What a run's page plots: for a scoring run, the curves of the videos it picked (deepest dips,
    metrics["curve_videos"]); for a reward run, those of the newest succeeded scoring run of the model it
    registered. None for other runs and for a reward run that registered nothing."""
    if run.kind == RunKind.REWARD:
        version = getattr(run, "reward_model_version", None)
        if version is None:
            return None
        scoring = (TrainingRun.objects.filter(kind=RunKind.SCORING, reward_model=version, state=RunState.SUCCEEDED)
                   .order_by("-finished_at", "-id").first())
        out = reward_model_curves(version=version, video_ids=_picked(scoring))
    elif run.kind == RunKind.SCORING and run.reward_model_id:
        scoring = run
        out = reward_model_curves(version=run.reward_model, video_ids=_picked(run))
    else:
        return None
    out["scoring_run"] = scoring.pk if scoring else None
    return out


def _picked(run: TrainingRun | None) -> list[int]:
    picked = (run.metrics or {}).get("curve_videos") if run is not None and isinstance(run.metrics, dict) else None
    return [i for i in picked if isinstance(i, int)][:MAX_CURVE_VIDEOS] if isinstance(picked, list) else []
