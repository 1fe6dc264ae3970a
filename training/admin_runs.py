"""Admin of runs, reward models and retrain policies. Every action goes through the same services
as the API (and is audit-logged the same way); runs and versions are read-only records."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from studio_platform.admin_readonly import ReadOnlyAdmin
from studio_platform.audit import audit_record
from studio_platform.errors import StudioError
from training.models import RetrainPolicy, RewardModelVersion, RunKind, TrainingRun
from training.runs import registry, retrain, services


@admin.register(TrainingRun)
class TrainingRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "state", "progress_bar", "attempt", "worker", "trigger", "created_by", "created_at",
                    "page"]
    list_filter = ["kind", "state", "trigger"]
    actions = ["cancel_runs"]

    @admin.display(description="progress")
    def progress_bar(self, obj):
        return format_html('<progress max="1" value="{}"></progress> {}/{}', obj.progress, obj.step, obj.total_steps)

    @admin.display(description="page")
    def page(self, obj):
        return format_html('<a href="/runs/{}/">open</a>', obj.pk)

    @admin.action(description="Cancel (queued at once, running at the next step)")
    def cancel_runs(self, request, queryset):
        for run in queryset:
            try:
                services.run_cancel(run=run)
                audit_record(request=request, action="run.cancel", target=run, details={})
            except StudioError as exc:
                self.message_user(request, exc.detail, messages.WARNING)


@admin.register(RewardModelVersion)
class RewardModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["id", "accuracy", "promoted", "dataset_version", "run", "created_at", "promotion_note"]
    list_filter = ["promoted"]
    actions = ["promote", "run_gapo", "score_videos"]

    @admin.action(description="Promote (replaces the promoted model)")
    def promote(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version to promote.", messages.WARNING)
            return
        version = registry.reward_version_promote(version=queryset.get(), by_user=request.user)
        audit_record(request=request, action="reward_model.promote", target=version, details={})

    def _start(self, request, queryset, kind: str):
        for version in queryset:
            try:
                run = services.run_create(kind=kind, reward_model=version, created_by=request.user,
                                          dataset_version=version.dataset_version if kind == RunKind.GAPO else None,
                                          options={} if kind == RunKind.GAPO else
                                          {"campaign_ids": list(version.dataset_version.campaign_ids)})
            except StudioError as exc:
                self.message_user(request, exc.detail, messages.WARNING)
                continue
            audit_record(request=request, action="run.start", target=run, details={"kind": kind})
            self.message_user(request, f"Started {kind} run {run.pk} with reward model {version.pk}.")

    @admin.action(description="Run GAPO with this reward model")
    def run_gapo(self, request, queryset):
        self._start(request, queryset, RunKind.GAPO)

    @admin.action(description="Score all videos of its campaigns")
    def score_videos(self, request, queryset):
        self._start(request, queryset, RunKind.SCORING)


@admin.register(RetrainPolicy)
class RetrainPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "campaign_ids", "min_new_judgments", "promotion_epsilon", "last_checked_at"]
    readonly_fields = ["last_checked_at"]
    actions = ["retrain_now"]

    @admin.action(description="Retrain now (whatever the threshold)")
    def retrain_now(self, request, queryset):
        for policy in queryset:
            try:
                run = retrain.retrain_now(policy=policy, created_by=request.user)
            except StudioError as exc:
                self.message_user(request, exc.detail, messages.WARNING)
                continue
            audit_record(request=request, action="run.retrain_now", target=run, details={"policy": policy.pk})
            self.message_user(request, f"Started reward run {run.pk} for {policy.name}.")
