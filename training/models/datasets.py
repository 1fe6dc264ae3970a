"""Dataset versions.

A DatasetVersion is a frozen description (typed columns, also kept as canonical JSON and its
sha256) plus the state of its build. Once `ready` it is immutable: the services refuse changes
and a database trigger (migration 0001) rejects any UPDATE of a ready row or its file list.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from training.dataset_description import DEFAULT_SPLIT_SALT, DEFAULT_TEST_FRACTION, DEFAULT_TIE_BAND, DatasetDescription


class DatasetStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


FINAL_STATES = frozenset({DatasetStatus.READY, DatasetStatus.FAILED})


class DatasetVersion(models.Model):
    """One immutable, content-hashed export of judgments into a Hugging Face `datasets` folder."""

    name = models.CharField(max_length=120, blank=True)
    # --- frozen description (see training/dataset_description.py) ---
    campaign_ids = ArrayField(models.BigIntegerField())
    dimension_keys = ArrayField(models.SlugField(max_length=32))
    min_votes_per_pair = models.PositiveSmallIntegerField(default=1)
    min_agreement = models.FloatField(default=0.0, help_text="Share of votes on the plurality side, 0..1.")
    judged_before = models.DateTimeField(help_text="Only judgments stored before this moment are exported.")
    split_salt = models.CharField(max_length=64, default=DEFAULT_SPLIT_SALT)
    test_fraction = models.FloatField(default=DEFAULT_TEST_FRACTION)
    tie_band = models.FloatField(default=DEFAULT_TIE_BAND)
    schema_version = models.PositiveSmallIntegerField()
    description = models.JSONField(help_text="Canonical description; its sha256 is description_sha256.")
    description_sha256 = models.CharField(max_length=64, db_index=True)
    # --- build state ---
    status = models.CharField(max_length=16, choices=DatasetStatus.choices, default=DatasetStatus.QUEUED, db_index=True)
    rows_written = models.BigIntegerField(default=0)
    rows_total = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # --- result ---
    row_counts = models.JSONField(default=dict, blank=True, help_text="{table: {split: rows}}")
    agreement = models.JSONField(default=list, blank=True, help_text="Agreement figures per dimension.")
    sha256 = models.CharField(max_length=64, blank=True, db_index=True,
                              help_text="sha256 of the description and the sorted file hashes.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="dataset_versions")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_votes_per_pair__gte=1), name="dataset_min_votes_positive"),
            models.CheckConstraint(condition=Q(min_agreement__gte=0.0, min_agreement__lte=1.0),
                                   name="dataset_min_agreement_unit"),
            models.CheckConstraint(condition=Q(test_fraction__gte=0.0, test_fraction__lt=1.0),
                                   name="dataset_test_fraction_unit"),
            models.CheckConstraint(condition=~Q(status=DatasetStatus.READY) | ~Q(sha256=""),
                                   name="dataset_ready_has_hash"),
        ]

    def __str__(self) -> str:
        return f"dataset {self.pk} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    def description_obj(self) -> DatasetDescription:
        return DatasetDescription(
            campaign_ids=tuple(self.campaign_ids), dimension_keys=tuple(self.dimension_keys),
            judged_before=self.judged_before, min_votes_per_pair=self.min_votes_per_pair,
            min_agreement=self.min_agreement, test_fraction=self.test_fraction, split_salt=self.split_salt,
            tie_band=self.tie_band, schema_version=self.schema_version,
        )


class DatasetFileFormat(models.TextChoices):
    PARQUET = "parquet", "Parquet"
    JSONL = "jsonl", "JSON Lines"
    CARD = "card", "Dataset card"


class DatasetFile(models.Model):
    """One file of a ready version: where it is inside the version folder and its sha256."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=255, help_text="POSIX path relative to the version folder.")
    format = models.CharField(max_length=16, choices=DatasetFileFormat.choices)
    table = models.CharField(max_length=32, blank=True)
    split = models.CharField(max_length=8, blank=True)
    rows = models.BigIntegerField(null=True, blank=True)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["version", "path"]
        constraints = [models.UniqueConstraint(fields=["version", "path"], name="dataset_file_unique_path")]

    def __str__(self) -> str:
        return self.path
