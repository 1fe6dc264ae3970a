"""Annotator endpoints: thin adapters from HTTP to services and selectors."""
from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.api import serializers as s
from annotation.api.campaign_serializers import CampaignSettingsSerializer, CampaignWriteSerializer
from annotation.api.payloads import lease_payload, result_payload
from annotation.models import Campaign
from annotation.selectors.assignments import (
    assignment_for_payload,
    assignment_result_rows,
    campaign_for_lease,
    pair_media,
)
from annotation.selectors.campaigns import campaign_empty_reason, campaign_list_for_user, campaign_progress
from annotation.services.campaigns import CampaignSettings, campaign_archive, campaign_create, campaign_update
from annotation.services.leasing import assignment_lease_next
from annotation.services.submissions import (
    Answer,
    RatingAnswer,
    SegmentAnswer,
    assignment_flag,
    assignment_heartbeat,
    assignment_skip,
    judgment_submit,
)
from studio_platform.audit import acting_as
from studio_platform.permissions import IsAnnotator, IsAnnotatorReadAdminWrite, IsStudioAdmin
from studio_platform.roles import ADMIN, user_has_role, user_roles


class MeView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        user = request.user
        return Response({"id": user.pk, "username": user.username, "roles": sorted(user_roles(user))})


class _CampaignSettingsMixin:
    """Admins read every setting (CampaignSettingsSerializer) and write through the campaign service;
    everyone else reads the short annotator shape."""

    def get_serializer_class(self):
        # The schema documents the short shape for reads (an admin's answer is a superset of it).
        if getattr(self, "swagger_fake_view", False) or not user_has_role(self.request.user, ADMIN):
            return s.CampaignSerializer
        return CampaignSettingsSerializer

    def get_queryset(self):
        campaigns = campaign_list_for_user(user=self.request.user)
        if not user_has_role(self.request.user, ADMIN):
            return campaigns
        # Django drops Meta.ordering from a GROUP BY query: without order_by the admins' list (and
        # its pages) came back in whatever order PostgreSQL scanned the rows, changing after edits.
        return campaigns.annotate(pairs_count=Count("pairs")).order_by(*Campaign._meta.ordering)


class CampaignListView(_CampaignSettingsMixin, ListAPIView):
    """GET: the campaigns the user may label (admins: all, with their settings). POST (admins): create one."""

    permission_classes = [IsAnnotatorReadAdminWrite]

    @extend_schema(request=CampaignWriteSerializer, responses={201: CampaignSettingsSerializer, 400: dict})
    def post(self, request):
        body = CampaignWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with acting_as(request):
            campaign = campaign_create(settings=CampaignSettings().updated(body.validated_data))
        return Response(CampaignSettingsSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailView(_CampaignSettingsMixin, RetrieveAPIView):
    """GET: one campaign. PATCH (admins): change the settings it names; the rest keep their values."""

    permission_classes = [IsAnnotatorReadAdminWrite]

    @extend_schema(request=CampaignWriteSerializer, responses={200: CampaignSettingsSerializer, 400: dict})
    def patch(self, request, pk: int):
        get_object_or_404(Campaign, pk=pk)
        body = CampaignWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with acting_as(request):
            campaign = campaign_update(campaign_id=pk, changes=body.validated_data)
        return Response(CampaignSettingsSerializer(campaign).data)


class CampaignArchiveView(APIView):
    """Archive (close) a campaign: nothing more is leased, its data stays. Idempotent."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={200: CampaignSettingsSerializer})
    def post(self, request, pk: int):
        get_object_or_404(Campaign, pk=pk)
        with acting_as(request):
            campaign = campaign_archive(campaign_id=pk)
        return Response(CampaignSettingsSerializer(campaign).data)


class CampaignProgressView(APIView):
    permission_classes = [IsAnnotator]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        campaign = get_object_or_404(campaign_list_for_user(user=request.user), pk=pk)
        return Response(campaign_progress(campaign=campaign, user=request.user))


class NextPairView(APIView):
    """Lease the next pair (or resume an open lease not listed in `exclude`).

    The annotator's hottest request: one raw read for the campaign with its dimensions, then the
    lease transaction, whose claim statement also returns the pair's videos and prompt (a resumed
    lease reads them separately). The payload is a plain dict (`payloads.lease_payload`, checked
    against LeaseSerializer by tests/annotation/test_payloads.py)."""

    permission_classes = [IsAnnotator]

    @extend_schema(request=s.NextRequestSerializer, responses={200: s.LeaseSerializer, 204: dict})
    def post(self, request, pk: int):
        lease_campaign = campaign_for_lease(campaign_id=pk, user=request.user)
        exclude = ()
        if request.data != {}:  # the usual body is {}; a prefetch sends `exclude`, validated as documented
            body = s.NextRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            exclude = body.validated_data["exclude"]
        campaign = lease_campaign.campaign
        assignment = assignment_lease_next(campaign=campaign, annotator=request.user,
                                           exclude_assignment_ids=exclude, refresh_campaign=False)
        if assignment is None:
            return Response({"assignment": None, **campaign_empty_reason(campaign=campaign, annotator=request.user)})
        media = getattr(assignment, "media", None) or pair_media(pair_id=assignment.pair_id)  # resumed: read it
        return Response(lease_payload(assignment=assignment, campaign=lease_campaign, media=media))


class AssignmentDetailView(APIView):
    permission_classes = [IsAnnotator]

    @extend_schema(responses={200: s.LeaseSerializer})
    def get(self, request, pk: int):
        assignment = assignment_for_payload(assignment_id=pk, annotator=request.user)
        return Response({**s.LeaseSerializer(assignment).data, "result": s.AssignmentResultSerializer(assignment).data})


class HeartbeatView(APIView):
    permission_classes = [IsAnnotator]

    @extend_schema(request=None, responses={200: s.HeartbeatResponseSerializer})
    def post(self, request, pk: int):
        assignment = assignment_heartbeat(assignment_id=pk, annotator=request.user)
        return Response(s.HeartbeatResponseSerializer(assignment).data)


def _result(assignment, replayed: bool) -> Response:
    campaign = assignment.campaign
    if getattr(assignment, "written", None) is not None:  # a fresh submit: what it just stored
        judgments, ratings, segments = assignment.written
        judgments, ratings = (judgments if campaign.wants_pairwise else []), (ratings if campaign.wants_ratings else [])
    else:
        judgments, ratings, segments = assignment_result_rows(
            assignment_id=assignment.pk, pairwise=campaign.wants_pairwise, ratings=campaign.wants_ratings)
    data = result_payload(assignment=assignment, judgments=judgments, ratings=ratings, segments=segments,
                          replayed=replayed)
    return Response(data, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


class SubmitView(APIView):
    """Store the answers for a live lease; safe to retry with the same client_key."""

    permission_classes = [IsAnnotator]

    @extend_schema(request=s.SubmitSerializer, responses={201: s.AssignmentResultSerializer,
                                                          200: OpenApiResponse(s.AssignmentResultSerializer, "replay")})
    def post(self, request, pk: int):
        body = s.SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assignment, replayed = judgment_submit(
            assignment_id=pk,
            annotator=request.user,
            client_key=data["client_key"],
            video_a_id=data["video_a"],
            video_b_id=data["video_b"],
            answers=[Answer(a["dimension"], a["strength"]) for a in data["answers"]],
            ratings=[RatingAnswer(r["video"], r["dimension"], r["score"]) for r in data["ratings"]],
            segments=[SegmentAnswer(g["video"], g["dimension"], g["start_frame"], g["end_frame"], g["severity"],
                                    g["note"]) for g in data["segments"]],
            time_spent_ms=data.get("time_spent_ms"),
        )
        return _result(assignment, replayed)


class SkipView(APIView):
    permission_classes = [IsAnnotator]

    @extend_schema(request=s.SkipSerializer, responses={201: s.AssignmentResultSerializer})
    def post(self, request, pk: int):
        body = s.SkipSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assignment, replayed = assignment_skip(assignment_id=pk, annotator=request.user, client_key=data["client_key"],
                                               note=data["note"], time_spent_ms=data.get("time_spent_ms"))
        return _result(assignment, replayed)


class FlagView(APIView):
    permission_classes = [IsAnnotator]

    @extend_schema(request=s.FlagSerializer, responses={201: s.AssignmentResultSerializer})
    def post(self, request, pk: int):
        body = s.FlagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assignment, replayed = assignment_flag(assignment_id=pk, annotator=request.user, client_key=data["client_key"],
                                               reason=data["reason"], note=data["note"], video_id=data.get("video"))
        return _result(assignment, replayed)
