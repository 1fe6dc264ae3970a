"""Reads of the data browser (/studio/data/, reviewers and admins): videos, pairs, judgments and
flags, filtered, newest first, one page at a time.

Each `*_rows` function returns a queryset of plain dicts; the view pages it (DRF pagination:
one count and one page query, whatever the page size), so the number of queries per page does
not grow with the rows shown. Filters use existing indexes: foreign keys (pair, annotator,
dimension, video), the pair's (campaign, video_a, video_b) uniqueness, Video (prompt, generator)
and status. Reviewers see generator names here, as on the review page's leaderboard; annotators
never reach these reads.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from annotation.models import (
    Assignment,
    AssignmentState,
    Dimension,
    Flag,
    Judgment,
    JudgmentRevision,
    Pair,
    Video,
)

TABS = ("videos", "pairs", "judgments", "flags")
PAIR_STATUSES = ("open", "in_progress", "complete")
AGREEMENT = ("disputed", "agreed")
GOLD = ("yes", "no")
# Per tab, the statuses its filter offers.
STATUSES = {"videos": ("pending", "ready", "failed"), "pairs": PAIR_STATUSES,
            "judgments": ("edited", "original"), "flags": ("open", "resolved")}


@dataclass(frozen=True)
class DataFilters:
    """Validated query parameters (api/data_views.py); empty values filter nothing."""

    campaign: int | None = None
    generator: str = ""
    status: str = ""
    annotator: int | None = None
    dimension: str = ""
    agreement: str = ""
    gold: str = ""


def _rendition_url(name: str) -> str | None:
    return Video._meta.get_field("rendition").storage.url(name) if name else None


def _opposed(*, pair_ref: str, dimension_ref: str | None = None, dimension_id: int | None = None) -> Exists:
    """Some judgment of the pair (on the given dimension) says A while another on the same
    dimension says B: the review queue's 'opposite directions'."""
    says_a = Judgment.objects.filter(pair=OuterRef(pair_ref), strength__lt=0)
    if dimension_ref:
        says_a = says_a.filter(dimension=OuterRef(dimension_ref))
    if dimension_id:
        says_a = says_a.filter(dimension_id=dimension_id)
    says_b = Judgment.objects.filter(pair=OuterRef("pair"), dimension=OuterRef("dimension"), strength__gt=0)
    return Exists(says_a.filter(Exists(says_b)))


def _dimension_id(key: str) -> int | None:
    return Dimension.objects.filter(key=key).values_list("id", flat=True).first() if key else None


def video_rows(*, filters: DataFilters) -> QuerySet:
    videos = Video.objects.all()
    if filters.campaign:
        in_campaign = Pair.objects.filter(campaign_id=filters.campaign)
        videos = videos.filter(Q(id__in=in_campaign.values("video_a")) | Q(id__in=in_campaign.values("video_b")))
    if filters.generator:
        videos = videos.filter(generator=filters.generator)
    if filters.status:
        videos = videos.filter(status=filters.status)
    return videos.order_by("-id").values(
        "id", "generator", "status", "failure_code", "rendition", "rendition_duration_s", "created_at",
        "prompt_id", prompt_text=F("prompt__text"))


def pair_rows(*, filters: DataFilters) -> QuerySet:
    pairs = Pair.objects.all()
    if filters.campaign:
        pairs = pairs.filter(campaign_id=filters.campaign)
    if filters.generator:
        pairs = pairs.filter(Q(video_a__generator=filters.generator) | Q(video_b__generator=filters.generator))
    if filters.status == "open":
        pairs = pairs.filter(completed=0)
    elif filters.status == "in_progress":
        pairs = pairs.filter(completed__gt=0, completed__lt=F("overlap"))
    elif filters.status == "complete":
        pairs = pairs.filter(completed__gte=F("overlap"))
    if filters.annotator:
        pairs = pairs.filter(Exists(Assignment.objects.filter(pair=OuterRef("pk"), annotator_id=filters.annotator,
                                                              state=AssignmentState.SUBMITTED)))
    dimension_id = _dimension_id(filters.dimension)
    if filters.dimension:
        pairs = pairs.filter(campaign__dimensions__id=dimension_id)
    if filters.agreement == "disputed":
        pairs = pairs.filter(_opposed(pair_ref="pk", dimension_id=dimension_id))
    elif filters.agreement == "agreed":
        pairs = pairs.filter(completed__gte=2).exclude(_opposed(pair_ref="pk", dimension_id=dimension_id))
    if filters.gold:
        pairs = pairs.filter(is_gold=filters.gold == "yes")
    return pairs.order_by("-id").values(
        "id", "campaign_id", "is_gold", "overlap", "taken", "completed", "created_at",
        campaign_name=F("campaign__name"), prompt_text=F("video_a__prompt__text"),
        generator_a=F("video_a__generator"), generator_b=F("video_b__generator"))


def judgment_rows(*, filters: DataFilters) -> QuerySet:
    judgments = Judgment.objects.all()
    if filters.campaign:
        judgments = judgments.filter(pair__campaign_id=filters.campaign)
    if filters.generator:
        judgments = judgments.filter(Q(pair__video_a__generator=filters.generator)
                                     | Q(pair__video_b__generator=filters.generator))
    if filters.annotator:
        judgments = judgments.filter(annotator_id=filters.annotator)
    if filters.dimension:
        judgments = judgments.filter(dimension_id=_dimension_id(filters.dimension))
    edited = Exists(JudgmentRevision.objects.filter(judgment=OuterRef("pk")))
    if filters.status:
        judgments = judgments.filter(edited if filters.status == "edited" else ~edited)
    if filters.agreement == "disputed":
        judgments = judgments.filter(_opposed(pair_ref="pair", dimension_ref="dimension"))
    elif filters.agreement == "agreed":
        judgments = judgments.filter(pair__completed__gte=2).exclude(_opposed(pair_ref="pair", dimension_ref="dimension"))
    if filters.gold:
        judgments = judgments.filter(pair__is_gold=filters.gold == "yes")
    return judgments.annotate(edited=edited).order_by("-id").values(
        "id", "pair_id", "assignment_id", "strength", "created_at", "edited",
        campaign_id=F("pair__campaign_id"), campaign_name=F("pair__campaign__name"),
        annotator_name=F("annotator__username"), dimension_key=F("dimension__key"),
        is_gold=F("pair__is_gold"))


def flag_rows(*, filters: DataFilters) -> QuerySet:
    flags = Flag.objects.filter(assignment__isnull=False)
    if filters.campaign:
        flags = flags.filter(assignment__campaign_id=filters.campaign)
    if filters.generator:
        flags = flags.filter(Q(video__generator=filters.generator)
                             | Q(assignment__pair__video_a__generator=filters.generator)
                             | Q(assignment__pair__video_b__generator=filters.generator))
    if filters.status:
        flags = flags.filter(resolved=filters.status == "resolved")
    if filters.annotator:
        flags = flags.filter(created_by_id=filters.annotator)
    if filters.gold:
        flags = flags.filter(assignment__pair__is_gold=filters.gold == "yes")
    return flags.order_by("-id").values(
        "id", "reason", "note", "resolved", "created_at", "video_id",
        pair_id=F("assignment__pair_id"), campaign_id=F("assignment__campaign_id"),
        campaign_name=F("assignment__campaign__name"), annotator_name=F("created_by__username"))


ROWS = {"videos": video_rows, "pairs": pair_rows, "judgments": judgment_rows, "flags": flag_rows}


def data_rows(*, tab: str, filters: DataFilters) -> QuerySet:
    return ROWS[tab](filters=filters)


def data_row_payload(tab: str, row: dict) -> dict:
    """JSON of one row: dates as ISO strings, the rendition as a URL (never the original)."""
    out = {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.items()}
    if tab == "videos":
        out["rendition_url"] = _rendition_url(out.pop("rendition"))
    return out
