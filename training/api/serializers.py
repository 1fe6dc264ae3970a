from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from annotation.models import Campaign
from training.dataset_description import DEFAULT_SPLIT_SALT, DEFAULT_TEST_FRACTION
from training.models import DatasetFile, DatasetStatus, DatasetVersion


class DatasetCreateSerializer(serializers.Serializer):
    campaigns = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), many=True, allow_empty=False)
    dimensions = serializers.ListField(child=serializers.SlugField(max_length=32), required=False, default=list,
                                       help_text="Dimension keys; empty means every dimension of the campaigns.")
    min_votes_per_pair = serializers.IntegerField(min_value=1, default=1)
    min_agreement = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.0)
    judged_before = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                              help_text="Cut-off; defaults to now, which freezes the version.")
    test_fraction = serializers.FloatField(min_value=0.0, max_value=0.99, default=DEFAULT_TEST_FRACTION)
    split_salt = serializers.CharField(max_length=64, default=DEFAULT_SPLIT_SALT)
    name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)


class DatasetFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DatasetFile
        fields = ["path", "format", "table", "split", "rows", "size_bytes", "sha256", "url"]

    def get_url(self, obj) -> str:
        return reverse("dataset-file", kwargs={"pk": obj.version_id, "path": obj.path})


class DatasetVersionSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = DatasetVersion
        fields = [
            "id", "name", "status", "progress", "error", "attempts", "description", "description_sha256",
            "schema_version", "row_counts", "agreement", "sha256", "files", "created_by", "created_at",
            "started_at", "heartbeat_at", "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, obj) -> dict:
        fraction = None
        if obj.rows_total:
            fraction = round(min(1.0, obj.rows_written / obj.rows_total), 4)
        elif obj.status == DatasetStatus.READY:
            fraction = 1.0
        return {"rows_written": obj.rows_written, "rows_total": obj.rows_total, "fraction": fraction}

    def get_files(self, obj) -> list[dict]:
        return DatasetFileSerializer(obj.files.all(), many=True).data
