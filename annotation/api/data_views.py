"""Data browser, pair page, annotator history, answer edits and pair comments: thin adapters.

Reviewers and admins browse everything (`/api/data/<tab>/`, `/api/pairs/{id}/`); annotators see
their own history (`/api/me/history/`), edit their own answers within the campaign's window and
comment on pairs they judged. Someone else's assignment, or a pair an annotator did not judge,
is a 404 (never a 403: ids reveal nothing)."""
from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.api.serializers import AnswerSerializer, SegmentAnswerSerializer
from annotation.models import Dimension
from annotation.selectors.data_browser import AGREEMENT, GOLD, STATUSES, DataFilters, data_row_payload, data_rows
from annotation.selectors.pair_pages import (
    annotator_history_page,
    annotator_history_rows,
    pair_comment_payload,
    pair_comments,
    pair_detail,
    pair_detail_get,
)
from annotation.services.answer_edits import assignment_answers_edit
from annotation.services.segments import MAX_SPANS_PER_SUBMISSION, SegmentAnswer
from annotation.services.comments import MAX_COMMENT, MSG_PAIR_NOT_FOUND, pair_comment_add, pair_visible_to
from studio_platform.permissions import IsAnnotator, IsReviewer

MAX_ID = 2**62
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="1-based page number (past the last page: 404)."),
    OpenApiParameter("page_size", int, description="Rows per page, 1-100 (default 25)."),
]


class DataPagination(PageNumberPagination):
    """?page=N&page_size=M; one count and one page query per request."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class DataFilterSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    generator = serializers.CharField(max_length=120, required=False, default="")
    status = serializers.CharField(max_length=16, required=False, default="",
                                   help_text="videos: pending|ready|failed; pairs: open|in_progress|complete; "
                                             "judgments: edited|original; flags: open|resolved")
    annotator = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="user id")
    dimension = serializers.CharField(max_length=32, required=False, default="", help_text="dimension key")
    agreement = serializers.ChoiceField(choices=AGREEMENT, required=False, default="", allow_blank=True,
                                        help_text="disputed: annotators chose opposite directions")
    gold = serializers.ChoiceField(choices=GOLD, required=False, default="", allow_blank=True)

    def validate_status(self, value):
        allowed = STATUSES[self.context["tab"]]
        if value and value not in allowed:
            raise serializers.ValidationError(f"status must be one of {', '.join(allowed)} on this tab.")
        return value

    def validate_dimension(self, value):
        if value and not Dimension.objects.filter(key=value).exists():
            raise serializers.ValidationError("No such dimension key.")
        return value


class DataListView(APIView):
    """One tab of the data browser: rows newest first, filtered, paged."""

    permission_classes = [IsReviewer]
    tab = "pairs"

    @extend_schema(parameters=[DataFilterSerializer, *PAGE_PARAMETERS], responses={200: dict})
    def get(self, request):
        query = DataFilterSerializer(data=request.query_params, context={"tab": self.tab})
        query.is_valid(raise_exception=True)
        paginator = DataPagination()
        page = paginator.paginate_queryset(data_rows(tab=self.tab, filters=DataFilters(**query.validated_data)),
                                           request, view=self)
        return paginator.get_paginated_response([data_row_payload(self.tab, row) for row in page])


class PairDetailView(APIView):
    """Everything about one pair for reviewers: videos, answers with their edit history, comments."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        pair = pair_detail_get(pair_id=pk)
        if pair is None:
            raise DrfNotFound(MSG_PAIR_NOT_FOUND)
        return Response(pair_detail(pair=pair))


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_COMMENT, help_text="The comment (plain text).")


class PairCommentsView(APIView):
    """GET: a pair's comments, oldest first. POST: add one (annotators on pairs they judged)."""

    permission_classes = [IsAnnotator]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        if pair_visible_to(pair_id=pk, user=request.user) is None:
            raise DrfNotFound(MSG_PAIR_NOT_FOUND)
        return Response({"pair": pk, "comments": pair_comments(pair_ids=[pk]).get(pk, [])})

    @extend_schema(request=CommentSerializer, responses={201: dict})
    def post(self, request, pk: int):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = pair_comment_add(pair_id=pk, author=request.user, text=body.validated_data["text"])
        return Response(pair_comment_payload(comment), status=status.HTTP_201_CREATED)


class MyHistoryView(APIView):
    """My submitted pairs with my answers, latest first, and whether I may still edit each."""

    permission_classes = [IsAnnotator]

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: dict})
    def get(self, request):
        paginator = DataPagination()
        page = paginator.paginate_queryset(annotator_history_rows(annotator=request.user), request, view=self)
        return paginator.get_paginated_response(annotator_history_page(assignments=list(page)))


class AnswerEditSerializer(serializers.Serializer):
    answers = AnswerSerializer(many=True, required=False, max_length=50,
                               help_text="The dimensions to change, in A/B terms like a submission.")
    segments = SegmentAnswerSerializer(many=True, required=False, max_length=MAX_SPANS_PER_SUBMISSION,
                                       help_text="When present, replaces all my spans on this pair ([] removes them; "
                                                 "docs/segments.md). Send answers, segments or both.")


class AnswerEditView(APIView):
    """Change my submitted answer and/or spans within the campaign's edit window (the original is kept)."""

    permission_classes = [IsAnnotator]

    @extend_schema(request=AnswerEditSerializer, responses={200: dict})
    def post(self, request, pk: int):
        body = AnswerEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        segments = None if "segments" not in data else [
            SegmentAnswer(g["video"], g["dimension"], g["start_frame"], g["end_frame"], g["severity"], g["note"])
            for g in data["segments"]]
        edit = assignment_answers_edit(assignment_id=pk, annotator=request.user, request=request,
                                       answers=[(a["dimension"], a["strength"]) for a in data.get("answers", [])],
                                       segments=segments)
        item = annotator_history_page(assignments=[edit.assignment])[0]
        return Response({**item, "changed": sorted(edit.changed), "segments_changed": edit.segments_changed})


data_urls = [
    *[path(f"data/{tab}/", DataListView.as_view(tab=tab), name=f"data-{tab}") for tab in STATUSES],
    path("pairs/<int:pk>/", PairDetailView.as_view(), name="pair-detail"),
    path("pairs/<int:pk>/comments/", PairCommentsView.as_view(), name="pair-comments"),
    path("me/history/", MyHistoryView.as_view(), name="my-history"),
    path("assignments/<int:pk>/answers/", AnswerEditView.as_view(), name="assignment-answers"),
]
