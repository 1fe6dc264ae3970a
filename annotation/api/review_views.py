"""Reviewer endpoints: read-only views over everyone's work in a campaign (annotators get 403:
these name other people and, in the history, the campaign's disagreements)."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework.exceptions import NotFound as DrfNotFound
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.models import Campaign
from annotation.selectors.pair_pages import pair_detail_get
from annotation.selectors.segments import pair_segments_review
from annotation.services.comments import MSG_PAIR_NOT_FOUND
from annotation.services.review_scope import campaign_reviewable_check
from annotation.selectors.quality_history import (
    DEFAULT_HISTORY_DAYS,
    MAX_HISTORY_DAYS,
    campaign_agreement_history,
)
from annotation.selectors.review import campaign_annotator_stats
from studio_platform.permissions import IsReviewer


class AnnotatorStatsSerializer(serializers.Serializer):
    annotator = serializers.IntegerField()
    username = serializers.CharField()
    submitted = serializers.IntegerField()
    skipped = serializers.IntegerField()
    flagged = serializers.IntegerField()
    expired = serializers.IntegerField()
    median_time_ms = serializers.IntegerField(allow_null=True, help_text="Median time per submitted pair.")
    last_finished_at = serializers.DateTimeField(allow_null=True)


class CampaignAnnotatorsView(APIView):
    """Per-annotator counts, median time per pair, skips and flags (reviewers and admins)."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: AnnotatorStatsSerializer(many=True)})
    def get(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        return Response(AnnotatorStatsSerializer(campaign_annotator_stats(campaign=campaign), many=True).data)


class AgreementHistoryQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_HISTORY_DAYS, default=DEFAULT_HISTORY_DAYS,
                                    help_text="How far back to go, in days.")


class AgreementHistoryView(APIView):
    """Agreement per dimension over time (hourly snapshots) and the review-queue size."""

    permission_classes = [IsReviewer]

    @extend_schema(parameters=[AgreementHistoryQuerySerializer], responses={200: dict})
    def get(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        query = AgreementHistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(campaign_agreement_history(campaign=campaign, days=query.validated_data["days"]))


class PairSegmentsView(APIView):
    """Every annotator's artefact spans on a pair, per video, with temporal-IoU agreement per
    dimension (docs/segments.md). Reviewers in the campaigns they review, admins everywhere."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        pair = pair_detail_get(pair_id=pk)
        if pair is None:
            raise DrfNotFound(MSG_PAIR_NOT_FOUND)
        campaign_reviewable_check(campaign=pair.campaign, reviewer=request.user)
        return Response(pair_segments_review(pair=pair))
