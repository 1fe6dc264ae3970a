"""Training runs, the reward-model registry and retrain policies.

A TrainingRun is one job on the gpu queue (reward training, GAPO, scoring). Its state
machine is queued -> running -> succeeded | failed | cancelled, with running -> queued when its
worker stops heartbeating (the reaper re-queues it and the next worker resumes from the last
checkpoint). `attempt` is a fencing token: a worker only writes progress while the row still
carries the attempt it claimed, so a worker that was presumed dead cannot overwrite its successor.

A RewardModelVersion is what a succeeded reward run registers: one per run (a OneToOne), at most
one promoted at a time (a partial unique index).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class RunKind(models.TextChoices):
    REWARD = "reward", "Reward model training"
    GAPO = "gapo", "GAPO fine-tuning"
    SCORING = "scoring", "Scoring videos"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


RUN_FINAL_STATES = frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED})


class RunTrigger(models.TextChoices):
    API = "api", "API or admin"
    SCHEDULE = "schedule", "Periodic retraining"
    CHAIN = "chain", "Chained after another run"
    CLI = "cli", "Command line"


class TrainingRun(models.Model):
    kind = models.CharField(max_length=16, choices=RunKind.choices)
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.QUEUED, db_index=True)
    config = models.JSONField(default=dict, help_text="Validated config of the run's trainer (as a dict).")
    options = models.JSONField(default=dict, blank=True, help_text=(
        "Orchestration options of the run's kind, every field with its value (training/runs/options.py)."))
    dataset_version = models.ForeignKey("training.DatasetVersion", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="runs")
    reward_model = models.ForeignKey("training.RewardModelVersion", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="runs_using", help_text="The reward model a scoring/GAPO run uses.")
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    policy = models.ForeignKey("training.RetrainPolicy", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="runs")
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices, default=RunTrigger.API)
    # Periodic retraining writes "<policy>:<last judgment id>" here; the unique index makes "the
    # same data never starts two runs" a database fact rather than a hope.
    trigger_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    step = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(default=0, help_text="Times a worker claimed it (fencing token).")
    max_attempts = models.PositiveSmallIntegerField(default=3)
    worker = models.CharField(max_length=200, blank=True, help_text="host/pid of the worker running it.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True, help_text="Final metrics (held-out evaluation).")
    log_tail = models.TextField(blank=True)
    checkpoint_uri = models.CharField(max_length=500, blank=True, help_text="Folder or storage prefix of checkpoints.")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="training_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(step__lte=models.F("total_steps")) | Q(total_steps=0),
                                   name="run_step_within_total"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in RunKind]), name="run_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in RunState]), name="run_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in RUN_FINAL_STATES

    @property
    def progress(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0


class RunMetric(models.Model):
    """One point of a run's time series (one optimizer step, or one evaluation)."""

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="metric_points")
    step = models.PositiveIntegerField()
    values = models.JSONField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "step"]
        # A resumed attempt may replay steps after the last checkpoint: the newest value wins.
        constraints = [models.UniqueConstraint(fields=["run", "step"], name="run_metric_one_per_step")]


class RewardModelVersion(models.Model):
    run = models.OneToOneField(TrainingRun, on_delete=models.PROTECT, related_name="reward_model_version")
    dataset_version = models.ForeignKey("training.DatasetVersion", on_delete=models.PROTECT,
                                        related_name="reward_models")
    dataset_sha256 = models.CharField(max_length=64)
    checkpoint_uri = models.CharField(max_length=500)
    metrics = models.JSONField(help_text="Held-out evaluation: per dimension, per generator and overall.")
    accuracy = models.FloatField(null=True, help_text="Mean held-out pairwise accuracy (no ties) over dimensions.")
    code_version = models.CharField(max_length=80, blank=True)
    promoted = models.BooleanField(default=False)
    promoted_at = models.DateTimeField(null=True, blank=True)
    promotion_note = models.TextField(blank=True, help_text="Why it was or was not promoted.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["promoted"], condition=Q(promoted=True),
                                               name="reward_model_one_promoted")]

    def __str__(self) -> str:
        return f"reward model {self.pk}" + (" (promoted)" if self.promoted else "")


class RewardModelScore(models.Model):
    """A reward model's scores of one video (from a scoring run); active selection reads them."""

    model_version = models.ForeignKey(RewardModelVersion, on_delete=models.CASCADE, related_name="scores")
    video = models.ForeignKey("annotation.Video", on_delete=models.CASCADE, related_name="model_scores")
    scores = models.JSONField(help_text="dimension -> score in [0, 1], plus 'overall'.")
    # Only a model with per-frame heads (RewardConfig.frame_dimensions, issue #22) has curves; null
    # means "this model gives one number per video", never "not computed yet" (a row is written whole).
    curves = models.JSONField(null=True, blank=True, help_text=(
        'Score over time: {"positions": [relative positions 0..1 of the sampled frames], '
        '"curves": {temporal dimension: [score in [0, 1] per position]}}; null for models without per-frame heads.'))
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model_version", "video"], name="reward_score_unique")]


class RetrainPolicy(models.Model):
    """When and how to retrain AnimeReward from new judgments (checked by the beat task
    `training.check_retrain`, whose interval is editable under Periodic tasks in the admin)."""

    name = models.CharField(max_length=120, unique=True)
    enabled = models.BooleanField(default=True)
    campaign_ids = ArrayField(models.BigIntegerField(), help_text="Campaigns whose judgments train the model.")
    min_new_judgments = models.PositiveIntegerField(default=500, help_text="Retrain once this many arrived.")
    promotion_epsilon = models.FloatField(
        default=0.01, help_text="Promote only if held-out accuracy is at most this below the best model promoted so "
                                "far, measured on the same test split.")
    reward_config = models.JSONField(default=dict, blank=True, help_text="RewardConfig overrides (preset, steps...).")
    test_fraction = models.FloatField(default=0.2)
    chain_scoring = models.BooleanField(default=False, help_text="Score all videos with a newly promoted model.")
    chain_gapo = models.BooleanField(default=False, help_text="Start a GAPO run with a newly promoted model.")
    gapo_config = models.JSONField(default=dict, blank=True, help_text="GapoConfig overrides for chained runs.")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "retrain policies"
        constraints = [models.CheckConstraint(condition=Q(promotion_epsilon__gte=0.0), name="policy_epsilon_nonneg")]

    def __str__(self) -> str:
        return self.name
