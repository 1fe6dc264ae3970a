"""Serializers of runs, reward models and retrain policies."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from training.models import DatasetVersion, RetrainPolicy, RewardModelVersion, RunKind, RunState, TrainingRun
from training.runs.options import option_names


MSG_KIND_CHOICE = ('"{input}" is not a run kind; use reward, gapo or scoring (there are no generation runs: '
                   'every gapo run samples base vs trained videos on held-out prompts).')


class RunCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RunKind.choices, error_messages={"invalid_choice": MSG_KIND_CHOICE})
    config = serializers.DictField(required=False, default=dict,
                                   help_text="Trainer config: RewardConfig fields (reward) or GapoConfig fields (gapo).")
    options = serializers.DictField(required=False, default=dict,
                                    help_text="The kind's options (training/runs/options.py; null = the default): "
                                              + "; ".join(f"{kind}: {', '.join(option_names(kind))}"
                                                          for kind in RunKind.values))
    dense = serializers.BooleanField(required=False, default=False,
                                     help_text="GAPO without a config only: the deployment's default setup as dense "
                                               "GAPO (config frame_weighting 'segments', options pair_source "
                                               "'human'); refused with a config or without judged, span-marked pairs.")
    dataset_version = serializers.PrimaryKeyRelatedField(queryset=DatasetVersion.objects.all(), required=False,
                                                         allow_null=True, default=None)
    reward_model = serializers.PrimaryKeyRelatedField(queryset=RewardModelVersion.objects.all(), required=False,
                                                      allow_null=True, default=None,
                                                      help_text="Scoring/GAPO: defaults to the promoted model.")


class RewardModelBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = RewardModelVersion
        fields = ["id", "accuracy", "promoted", "promotion_note", "dataset_version", "created_at"]
        read_only_fields = fields


class RunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reward_model_version = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = TrainingRun
        fields = ["id", "kind", "state", "progress", "step", "total_steps", "attempt", "worker", "heartbeat_at",
                  "cancel_requested", "trigger", "config", "options", "dataset_version", "reward_model", "parent",
                  "metrics", "error", "checkpoint_uri", "reward_model_version", "created_by", "created_at",
                  "started_at", "finished_at", "page_url"]
        read_only_fields = fields

    def get_progress(self, obj) -> float:
        return 1.0 if obj.state == RunState.SUCCEEDED else round(obj.progress, 4)

    def get_reward_model_version(self, obj) -> dict | None:
        version = getattr(obj, "reward_model_version", None)
        return RewardModelBriefSerializer(version).data if version else None

    def get_page_url(self, obj) -> str:
        return f"/runs/{obj.pk}/"


class MetricPointSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    values = serializers.DictField(child=serializers.FloatField())


class RunDetailSerializer(RunSerializer):
    series = serializers.SerializerMethodField()
    log_tail = serializers.CharField(read_only=True)
    samples = serializers.SerializerMethodField()
    curves = serializers.SerializerMethodField(help_text=(
        "Scoring and reward runs: score curves of the videos with the deepest dips (selectors.run_curves); "
        "null for other runs."))

    class Meta(RunSerializer.Meta):
        fields = RunSerializer.Meta.fields + ["series", "log_tail", "samples", "curves"]
        read_only_fields = fields

    def get_series(self, obj) -> list[dict]:
        from training.runs.selectors import run_metric_series

        return MetricPointSerializer(run_metric_series(run=obj), many=True).data

    def get_samples(self, obj) -> list[dict]:
        """GAPO runs: evaluation videos, base vs trained, with their scores."""
        samples = obj.metrics.get("samples") if isinstance(obj.metrics, dict) else None
        # gapo/evaluate.py reports the sample *count* as "samples": only a list holds the samples.
        return [s for s in samples if isinstance(s, dict)] if isinstance(samples, list) else []

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_curves(self, obj) -> dict | None:
        from training.runs.selectors import run_curves

        return run_curves(run=obj)


class RewardModelSerializer(serializers.ModelSerializer):
    dimensions = serializers.SerializerMethodField()

    class Meta:
        model = RewardModelVersion
        fields = ["id", "run", "dataset_version", "dataset_sha256", "accuracy", "dimensions", "promoted", "promoted_at",
                  "promotion_note", "code_version", "checkpoint_uri", "created_at"]
        read_only_fields = fields

    def get_dimensions(self, obj) -> dict:
        """dimension -> {accuracy, accuracy_ties, spearman, pairs} (the full report is in the run)."""
        dims = (obj.metrics or {}).get("dimensions", {})
        return {d: {k: r.get(k) for k in ("accuracy", "accuracy_ties", "spearman", "pairs")} for d, r in dims.items()}


class RetrainPolicySerializer(serializers.ModelSerializer):
    backoff = serializers.SerializerMethodField(help_text="Failed runs in a row, when the next scheduled run may "
                                                          "start (null: not waiting) and the newest error.")

    class Meta:
        model = RetrainPolicy
        fields = ["id", "name", "enabled", "campaign_ids", "min_new_judgments", "promotion_epsilon", "reward_config",
                  "test_fraction", "chain_scoring", "chain_gapo", "gapo_config", "last_checked_at", "backoff"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_backoff(self, policy: RetrainPolicy) -> dict:
        from training.runs.retrain import policy_backoff

        backoff = policy_backoff(policy)
        return {"failures": backoff.failures, "until": backoff.until.isoformat() if backoff.until else None,
                "reason": backoff.reason}
