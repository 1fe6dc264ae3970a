"""AuditLog: who did what to which object, for admin actions (imports, uploads, dataset builds,
role changes, campaign status changes) and reviewer actions (pause/resume/override, adjudication).
Rows are append-only; the admin shows them read-only. Written by studio_platform/audit.py.

The table was created by the annotation app (migrations 0006, 0011-0013) and keeps its name;
studio_platform's migration 0001 only takes the model over in Django's state."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    IMPORT = "import", "Manifest import"
    UPLOAD = "upload", "Video upload"
    DATASET_CREATE = "dataset.create", "Dataset version created"
    DATASET_BUILD = "dataset.build", "Dataset build queued again"
    DATASET_REBUILD = "dataset.rebuild", "Dataset rebuilt as a new version"
    ROLE_ADD = "role.add", "Groups added to a user"
    ROLE_REMOVE = "role.remove", "Groups removed from a user"
    CAMPAIGN_STATUS = "campaign.status", "Campaign status changed"
    CAMPAIGN_CREATE = "campaign.create", "Campaign created"
    CAMPAIGN_UPDATE = "campaign.update", "Campaign settings changed"
    CAMPAIGN_ARCHIVE = "campaign.archive", "Campaign archived"
    PROMOTION = "promotion", "Model promoted"
    ANNOTATOR_STATUS = "annotator.status", "Annotator paused, resumed or exempted from the gold check"
    ADJUDICATION = "adjudication", "Pair adjudicated by a reviewer"
    ANSWER_EDIT = "answer.edit", "Submitted answer edited by its annotator"


class AuditLog(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Empty for the system (shell, migrations, workers).")
    actor_username = models.CharField(max_length=150, blank=True, help_text="Kept when the user is deleted.")
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the target.")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        db_table = "annotation_auditlog"
        indexes = [models.Index(fields=["target_type", "target_id"], name="auditlog_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username or 'system'} {self.action} {self.target_repr}"
