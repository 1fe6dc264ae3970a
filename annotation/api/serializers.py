"""Serializers. Annotator-facing shapes never carry generator names, seeds or others' answers."""
from __future__ import annotations

from rest_framework import serializers

from annotation.models import Assignment, Campaign, Dimension, FlagReason, Video
from annotation.selectors.segments import assignment_segments
from annotation.services.segments import MAX_SPANS_PER_SUBMISSION


class StrictIntegerField(serializers.IntegerField):
    """Accepts JSON integers only: no "1", 1.5, 1.0 or true, so a client bug fails loudly."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class DimensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dimension
        fields = ["key", "group", "name", "definition", "guideline", "order"]


class CampaignSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "slug", "protocol", "status", "overlap", "lease_ttl_seconds", "instructions",
                  "dimensions"]


class BlindVideoSerializer(serializers.ModelSerializer):
    """A video as an annotator may see it: no generator, no seed, no source path, nothing of the original.

    `url` is the browser rendition (H.264 MP4, faststart, at most 720p, no source metadata) under a
    name made from a random token; width, height, fps, frame_count and duration_s are the rendition's.
    Only pairs of ready videos are leased, so a rendition exists; `url` is null otherwise. With object
    storage the URLs are signed and expire (AWS_QUERYSTRING_EXPIRE)."""

    url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    fps = serializers.FloatField(source="rendition_fps", allow_null=True)
    frame_count = serializers.IntegerField(source="rendition_frame_count", allow_null=True)
    width = serializers.IntegerField(source="rendition_width", allow_null=True)
    height = serializers.IntegerField(source="rendition_height", allow_null=True)
    duration_s = serializers.FloatField(source="rendition_duration_s", allow_null=True)

    class Meta:
        model = Video
        fields = ["id", "url", "poster_url", "fps", "frame_count", "width", "height", "duration_s"]

    def get_url(self, video) -> str | None:
        return video.rendition.url if video.rendition else None

    def get_poster_url(self, video) -> str | None:
        return video.poster.url if video.poster else None


class LeaseSerializer(serializers.Serializer):
    """What the labelling page needs for one pair, in A/B terms plus the side A was shown on."""

    assignment = serializers.IntegerField(source="pk")
    campaign = serializers.IntegerField(source="campaign_id")
    state = serializers.CharField()
    expires_at = serializers.DateTimeField()
    lease_ttl_seconds = serializers.IntegerField(source="campaign.lease_ttl_seconds")
    left = serializers.SerializerMethodField(help_text="Which video to show on the left: 'a' or 'b'.")
    video_a = BlindVideoSerializer(source="pair.video_a")
    video_b = BlindVideoSerializer(source="pair.video_b")
    prompt = serializers.SerializerMethodField()
    protocol = serializers.CharField(source="campaign.protocol")
    dimensions = serializers.SerializerMethodField()

    def get_left(self, assignment) -> str:
        return "a" if assignment.a_on_left else "b"

    def get_prompt(self, assignment) -> dict:
        prompt = assignment.pair.video_a.prompt
        return {"id": prompt.pk, "text": prompt.text, "initial_image_url": prompt.initial_image.url,
                "action_label": prompt.action_label}

    def get_dimensions(self, assignment) -> list[dict]:
        return DimensionSerializer(assignment.campaign.dimensions.all(), many=True).data


class NextRequestSerializer(serializers.Serializer):
    exclude = serializers.ListField(
        child=StrictIntegerField(min_value=1), required=False, default=list, max_length=50,
        help_text="Assignment ids the page already holds (so a prefetch gets a different pair).",
    )


class AnswerSerializer(serializers.Serializer):
    dimension = serializers.CharField(max_length=32)
    strength = StrictIntegerField(min_value=-2, max_value=2,
                                  help_text="-2 A much better, -1 A better, 0 same, 1 B better, 2 B much better")


class RatingAnswerSerializer(serializers.Serializer):
    video = StrictIntegerField(min_value=1)
    dimension = serializers.CharField(max_length=32)
    score = StrictIntegerField(min_value=1, max_value=5)


class SegmentAnswerSerializer(serializers.Serializer):
    """A span of frames on one video where the dimension's artefact shows (docs/segments.md). Types
    only: the rules (frames inside the rendition, the pair's videos, overlap, caps, severity 1-3,
    note length) are the service's (annotation/services/segments.py), one place for the API and
    every other caller."""

    video = StrictIntegerField(min_value=1)
    dimension = serializers.CharField(max_length=32)
    start_frame = StrictIntegerField(help_text="0-based frame of the rendition (Video.rendition_frame_count).")
    end_frame = StrictIntegerField(help_text="Inclusive; start_frame <= end_frame < frame_count.")
    severity = StrictIntegerField(required=False, allow_null=True, default=None,
                                  help_text="1 mild, 2 clear, 3 severe; null when not said.")
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                 help_text="At most 200 characters.")


class SubmitSerializer(serializers.Serializer):
    client_key = serializers.CharField(max_length=64, help_text="A fresh random key per submission; resend it on retry.")
    video_a = StrictIntegerField(min_value=1)
    video_b = StrictIntegerField(min_value=1)
    answers = AnswerSerializer(many=True, required=False, default=list, max_length=50)
    ratings = RatingAnswerSerializer(many=True, required=False, default=list, max_length=100)
    segments = SegmentAnswerSerializer(many=True, required=False, default=list, max_length=MAX_SPANS_PER_SUBMISSION,
                                       help_text="Optional artefact spans, for either protocol (docs/segments.md).")
    time_spent_ms = StrictIntegerField(min_value=0, max_value=86_400_000, required=False)


class SkipSerializer(serializers.Serializer):
    client_key = serializers.CharField(max_length=64)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    time_spent_ms = StrictIntegerField(min_value=0, max_value=86_400_000, required=False)


class FlagSerializer(serializers.Serializer):
    client_key = serializers.CharField(max_length=64)
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    video = StrictIntegerField(min_value=1, required=False)


class AssignmentResultSerializer(serializers.ModelSerializer):
    """The stored outcome of a finished assignment (identical for a request and its retries)."""

    assignment = serializers.IntegerField(source="pk")
    judgments = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    segments = serializers.SerializerMethodField(help_text="Artefact spans (docs/segments.md), in stored order.")

    class Meta:
        model = Assignment
        fields = ["assignment", "state", "client_key", "finished_at", "time_spent_ms", "judgments", "ratings",
                  "segments"]

    def get_judgments(self, assignment) -> list[dict]:
        if not assignment.campaign.wants_pairwise:
            return []
        return [{"dimension": key, "strength": strength}
                for key, strength in assignment.judgments.order_by("dimension__order").values_list("dimension__key", "strength")]

    def get_ratings(self, assignment) -> list[dict]:
        if not assignment.campaign.wants_ratings:
            return []
        return [{"video": video, "dimension": key, "score": score}
                for video, key, score in assignment.ratings.order_by("video_id", "dimension__order")
                .values_list("video_id", "dimension__key", "score")]

    def get_segments(self, assignment) -> list[dict]:
        return assignment_segments(assignment_ids=[assignment.pk]).get(assignment.pk, [])


class HeartbeatResponseSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="pk")
    expires_at = serializers.DateTimeField()


class ImportRequestSerializer(serializers.Serializer):
    manifest = serializers.FileField(required=False, help_text="A .jsonl or .csv manifest; paths relative to base_dir.")
    server_manifest = serializers.CharField(required=False, allow_blank=True, max_length=1000,
                                            help_text="Instead of `manifest`: a manifest file inside IMPORT_ROOTS.")
    dry_run = serializers.BooleanField(required=False, default=False,
                                       help_text="Check every row and report; write nothing (200).")
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    base_dir = serializers.CharField(required=False, allow_blank=True, max_length=1000,
                                     help_text="Folder relative paths resolve against; must be inside IMPORT_ROOTS.")
    on_duplicate = serializers.ChoiceField(choices=["error", "skip"], default="error")
