"""Label-quality endpoints for reviewers and admins (annotators get 403 on every one: these
responses name generators and show other people's answers).

Agreement, leaderboard and annotators are campaign-wide reports served from a cache keyed by the
campaign's data version; after new judgments they may come back with `"stale": true` (and their
`computed_at`) while a worker recomputes them: see `selectors/quality_cache.py`. The leaderboard's
bootstrap intervals are computed by a worker only, never in the request
(`selectors/quality_leaderboard.py`). The review queue is always computed for the current data, so
an adjudicated pair leaves it at once. Every query parameter has a range; outside it the answer is 400."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.api.serializers import StrictIntegerField
from annotation.models import Campaign
from annotation.selectors.quality import campaign_agreement
from annotation.selectors.quality_annotators import campaign_annotator_report
from annotation.selectors.quality_cache import quality_report_cached
from annotation.selectors.quality_leaderboard import (
    LEADERBOARD_BOOT_MAX,
    LEADERBOARD_BOOT_MIN,
    campaign_leaderboard_served,
)
from annotation.selectors.quality_review import DEFAULT_MIN_STD, review_queue
from annotation.services.adjudication import pair_adjudicate
from annotation.services.gold import ACTIONS, annotator_status_set
from annotation.services.quality import DEFAULT_LEADERBOARD_BOOT
from annotation.tasks import compute_leaderboard, refresh_quality, refresh_quality_reports
from studio_platform.audit import audit_record
from studio_platform.models import AuditAction
from studio_platform.permissions import IsReviewer


class LeaderboardQuerySerializer(serializers.Serializer):
    n_boot = serializers.IntegerField(min_value=LEADERBOARD_BOOT_MIN, max_value=LEADERBOARD_BOOT_MAX,
                                      default=DEFAULT_LEADERBOARD_BOOT,
                                      help_text="Bootstrap replicates for the confidence intervals (computed by a "
                                                "worker; until then the scores come without intervals).")


class ReviewQueueQuerySerializer(serializers.Serializer):
    min_std = serializers.FloatField(min_value=0.0, max_value=4.0, default=DEFAULT_MIN_STD,
                                     help_text="Queue a dimension when the strengths' std exceeds this.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class AdjudicationAnswerSerializer(serializers.Serializer):
    dimension = serializers.CharField(max_length=32)
    strength = StrictIntegerField(min_value=-2, max_value=2,
                                  help_text="-2 A much better, -1 A better, 0 same, 1 B better, 2 B much better")


class AdjudicateSerializer(serializers.Serializer):
    answers = AdjudicationAnswerSerializer(many=True, min_length=1, max_length=50)
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class AnnotatorStatusSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTIONS), help_text="pause, resume, or override (exempt from "
                                                                        "the automatic gold check)")
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


def _revalidate_later(campaign_id: int):
    """The on_stale hook: recompute the campaign's reports in a worker after this request."""
    return lambda: transaction.on_commit(lambda: refresh_quality_reports.delay(campaign_id))


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(Campaign, pk=pk)


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class AgreementView(APIView):
    """Agreement per dimension: Krippendorff's ordinal alpha, direction kappa, rating alpha and ICC."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        campaign = _campaign(pk)
        report = quality_report_cached(kind="agreement", campaign_id=campaign.pk,
                                       compute=lambda: campaign_agreement(campaign=campaign),
                                       on_stale=_revalidate_later(campaign.pk))
        return Response(report)


class LeaderboardView(APIView):
    """Generators ranked per dimension by Bradley-Terry score with bootstrap confidence intervals."""

    permission_classes = [IsReviewer]

    @extend_schema(parameters=[LeaderboardQuerySerializer], responses={200: dict})
    def get(self, request, pk: int):
        campaign = _campaign(pk)
        n_boot = _query(LeaderboardQuerySerializer, request)["n_boot"]

        def enqueue():
            transaction.on_commit(lambda: compute_leaderboard.delay(campaign.pk, n_boot))

        return Response(campaign_leaderboard_served(campaign=campaign, n_boot=n_boot, enqueue=enqueue))


class AnnotatorsView(APIView):
    """Each annotator's status, gold accuracy per dimension and leave-one-out agreement."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        campaign = _campaign(pk)
        report = quality_report_cached(kind="annotators", campaign_id=campaign.pk,
                                       compute=lambda: campaign_annotator_report(campaign=campaign),
                                       on_stale=_revalidate_later(campaign.pk))
        return Response(report)


class ReviewQueueView(APIView):
    """Pairs whose judgments disagree, most contested first, with every answer."""

    permission_classes = [IsReviewer]

    @extend_schema(parameters=[ReviewQueueQuerySerializer], responses={200: dict})
    def get(self, request, pk: int):
        query = _query(ReviewQueueQuerySerializer, request)
        return Response(review_queue(campaign=_campaign(pk), **query))


class AdjudicateView(APIView):
    """Record the reviewer's answer for one or more dimensions of a pair (replaces an earlier one)."""

    permission_classes = [IsReviewer]

    @extend_schema(request=AdjudicateSerializer, responses={201: dict})
    def post(self, request, pk: int):
        body = AdjudicateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        rows = pair_adjudicate(pair_id=pk, reviewer=request.user, note=data["note"],
                               answers=[(a["dimension"], a["strength"]) for a in data["answers"]])
        audit_record(request=request, action=AuditAction.ADJUDICATION, target=rows[0].pair, details={
            "campaign": rows[0].pair.campaign_id, "note": data["note"],
            "answers": {row.dimension.key: row.strength for row in rows}})
        return Response({
            "pair": pk,
            "adjudications": [{"dimension": row.dimension.key, "strength": row.strength, "note": row.note,
                               "reviewer": request.user.username} for row in rows],
        }, status=status.HTTP_201_CREATED)


class AnnotatorStatusView(APIView):
    """Pause, resume or override (exempt from the gold check) one annotator in a campaign."""

    permission_classes = [IsReviewer]

    @extend_schema(request=AnnotatorStatusSerializer, responses={200: dict})
    def post(self, request, pk: int, user_id: int):
        campaign = _campaign(pk)
        annotator = get_object_or_404(get_user_model(), pk=user_id)
        body = AnnotatorStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = annotator_status_set(campaign=campaign, annotator=annotator, reviewer=request.user,
                                      **body.validated_data)
        audit_record(request=request, action=AuditAction.ANNOTATOR_STATUS, target=annotator, details={
            "campaign": campaign.pk, "action": body.validated_data["action"], "state": result.state,
            "reason": result.reason, "released_leases": getattr(result, "released_leases", 0)})
        return Response({"campaign": campaign.pk, "annotator": annotator.pk, "state": result.state,
                         "reason": result.reason, "changed_by": request.user.username,
                         "changed_at": result.changed_at.isoformat()})


class RefreshView(APIView):
    """Queue a quality refresh (gold check, video scores, priorities) for the campaign."""

    permission_classes = [IsReviewer]

    @extend_schema(request=None, responses={202: dict})
    def post(self, request, pk: int):
        campaign = _campaign(pk)
        transaction.on_commit(lambda: refresh_quality.delay(campaign.pk))
        return Response({"campaign": campaign.pk, "queued": True}, status=status.HTTP_202_ACCEPTED)


quality_urls = [
    path("campaigns/<int:pk>/quality/agreement/", AgreementView.as_view(), name="quality-agreement"),
    path("campaigns/<int:pk>/quality/leaderboard/", LeaderboardView.as_view(), name="quality-leaderboard"),
    path("campaigns/<int:pk>/quality/annotators/", AnnotatorsView.as_view(), name="quality-annotators"),
    path("campaigns/<int:pk>/quality/review-queue/", ReviewQueueView.as_view(), name="quality-review-queue"),
    path("campaigns/<int:pk>/quality/refresh/", RefreshView.as_view(), name="quality-refresh"),
    path("campaigns/<int:pk>/annotators/<int:user_id>/status/", AnnotatorStatusView.as_view(),
         name="annotator-status"),
    path("pairs/<int:pk>/adjudicate/", AdjudicateView.as_view(), name="pair-adjudicate"),
]
