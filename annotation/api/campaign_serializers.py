"""Campaign settings as admins read and write them (the campaigns page). Annotators keep the short
CampaignSerializer: gold rate and qualification would tell them how often a pair is a test.

The write serializer only checks types; ranges, choices and cross-field rules are the service's
(annotation/services/campaigns.py), so the form, the API and `manage.py create_campaign` give the
same messages."""
from __future__ import annotations

from rest_framework import serializers

from annotation.api.serializers import DimensionSerializer, StrictIntegerField
from annotation.models import Campaign
from annotation.services.campaigns import MSG_REQUIRED

SETTING_FIELDS = ["name", "slug", "protocol", "status", "overlap", "lease_ttl_seconds", "gold_rate",
                  "qualification_gold_count", "min_gold_accuracy", "min_gold_answers", "selection_policy",
                  "adaptive_overlap", "adaptive_min_votes", "pairing", "pair_budget_per_prompt", "edit_window_minutes",
                  "instructions"]

# A cleared number field arrives as null: say what the form says of a missing value, not DRF's
# "This field may not be null."
NUMBER_ERRORS = {"null": MSG_REQUIRED}


class CampaignSettingsSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)
    pairs = serializers.SerializerMethodField(help_text="Pairs in the campaign (gold included).")

    class Meta:
        model = Campaign
        fields = ["id", *SETTING_FIELDS, "dimensions", "pairs", "created_at"]

    def get_pairs(self, campaign) -> int:
        counted = getattr(campaign, "pairs_count", None)  # annotated by the list's queryset
        return counted if counted is not None else campaign.pairs.count()


class CampaignWriteSerializer(serializers.Serializer):
    """Every field optional: a PATCH changes what it names; a create falls back to the defaults."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=10_000, trim_whitespace=True)
    slug = serializers.CharField(required=False, allow_blank=True, max_length=10_000, trim_whitespace=True)
    dimensions = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=64,
                                       help_text="Dimension keys, e.g. ['smoothness', 'motion'].")
    guidelines = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=100_000),
                                       required=False, help_text="Dimension key -> guideline text (shared by "
                                                                 "every campaign using the dimension).")
    protocol = serializers.CharField(required=False, max_length=64)
    status = serializers.CharField(required=False, max_length=64)
    overlap = StrictIntegerField(required=False, error_messages=NUMBER_ERRORS)
    lease_ttl_seconds = StrictIntegerField(required=False, error_messages=NUMBER_ERRORS)
    gold_rate = serializers.FloatField(required=False, error_messages=NUMBER_ERRORS)
    qualification_gold_count = StrictIntegerField(required=False, error_messages=NUMBER_ERRORS)
    min_gold_accuracy = serializers.FloatField(required=False, error_messages=NUMBER_ERRORS)
    min_gold_answers = StrictIntegerField(required=False, error_messages=NUMBER_ERRORS)
    selection_policy = serializers.CharField(required=False, max_length=64)
    adaptive_overlap = serializers.BooleanField(required=False)
    adaptive_min_votes = StrictIntegerField(required=False, error_messages=NUMBER_ERRORS)
    pairing = serializers.CharField(required=False, max_length=64)
    pair_budget_per_prompt = StrictIntegerField(required=False, allow_null=True)
    edit_window_minutes = StrictIntegerField(required=False, error_messages=NUMBER_ERRORS,
                                             help_text="Minutes an annotator may change a submitted answer "
                                                       "(0 disables).")
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=100_000, trim_whitespace=False)

    def validate_gold_rate(self, value):
        return _finite(value)

    def validate_min_gold_accuracy(self, value):
        return _finite(value)


def _finite(value: float) -> float:
    if value != value or value in (float("inf"), float("-inf")):
        raise serializers.ValidationError("Must be a finite number.")
    return value
