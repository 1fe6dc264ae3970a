"""Reads of the pair page (/studio/pairs/<id>/, reviewers and admins) and of an annotator's own
history (/studio/mine/). Both show renditions only, never originals; the history never names a
generator, another annotator's answer or whether a pair is gold."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from annotation.models import (
    Adjudication,
    Assignment,
    AssignmentState,
    CampaignStatus,
    GoldAnswer,
    Judgment,
    JudgmentRevision,
    Pair,
    PairComment,
    Prompt,
    Video,
)
from annotation.models.history import edit_deadline
from annotation.selectors.quality import campaign_dimension_keys, campaign_paused_annotator_ids
from annotation.selectors.segments import assignment_segments


def _url(field: str, model, name: str) -> str | None:
    return model._meta.get_field(field).storage.url(name) if name else None


def _video(video: Video, *, with_generator: bool) -> dict:
    out = {"id": video.pk, "url": _url("rendition", Video, video.rendition.name),
           "poster_url": _url("poster", Video, video.poster.name), "status": video.status}
    if with_generator:
        out["generator"] = video.generator
    return out


def _prompt(prompt: Prompt) -> dict:
    return {"id": prompt.pk, "text": prompt.text, "action_label": prompt.action_label,
            "initial_image_url": _url("initial_image", Prompt, prompt.initial_image.name)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def pair_comments(*, pair_ids: list[int]) -> dict[int, list[dict]]:
    """Comments per pair, oldest first (one query)."""
    out: dict[int, list[dict]] = defaultdict(list)
    rows = (PairComment.objects.filter(pair_id__in=pair_ids).order_by("id")
            .values_list("id", "pair_id", "author__username", "text", "created_at"))
    for comment_id, pair_id, author, text, created_at in rows:
        out[pair_id].append({"id": comment_id, "author": author, "text": text, "created_at": _iso(created_at)})
    return out


def pair_comment_payload(comment: PairComment) -> dict:
    return {"id": comment.pk, "author": comment.author.get_username(), "text": comment.text,
            "created_at": _iso(comment.created_at)}


def pair_detail_get(*, pair_id: int) -> Pair | None:
    return (Pair.objects.select_related("campaign", "video_a__prompt", "video_b")
            .filter(pk=pair_id).first())


def pair_detail(*, pair: Pair) -> dict:
    """Both videos (with generators: reviewers only), every submitted answer with its edit
    history, adjudications, gold answers and comments; eight queries whatever the pair holds."""
    campaign = pair.campaign
    keys = list(campaign_dimension_keys(campaign=campaign).values())
    paused = campaign_paused_annotator_ids(campaign=campaign)
    history: dict[int, list[dict]] = defaultdict(list)
    for judgment_id, old, new, at, by in (JudgmentRevision.objects.filter(pair=pair).order_by("id")
                                          .values_list("judgment_id", "from_strength", "to_strength",
                                                       "created_at", "edited_by__username")):
        history[judgment_id].append({"from": old, "to": new, "at": _iso(at), "by": by})
    answers: dict[int, dict] = {}
    rows = (Judgment.objects.filter(pair=pair).order_by("assignment_id", "dimension__order")
            .values_list("id", "assignment_id", "annotator_id", "annotator__username", "assignment__a_on_left",
                         "assignment__time_spent_ms", "assignment__finished_at", "dimension__key", "strength"))
    for judgment_id, assignment_id, annotator_id, username, a_on_left, spent, finished, key, strength in rows:
        answer = answers.setdefault(assignment_id, {
            "assignment": assignment_id, "annotator": {"id": annotator_id, "username": username},
            "paused": annotator_id in paused, "a_on_left": a_on_left, "time_spent_ms": spent,
            "finished_at": _iso(finished), "strengths": {}, "history": {}})
        answer["strengths"][key] = strength
        if history.get(judgment_id):
            answer["history"][key] = history[judgment_id]
    adjudications = [
        {"dimension": key, "strength": strength, "reviewer": reviewer, "note": note, "updated_at": _iso(updated)}
        for key, strength, reviewer, note, updated in (
            Adjudication.objects.filter(pair=pair).order_by("dimension__order")
            .values_list("dimension__key", "strength", "reviewer__username", "note", "updated_at"))
    ]
    gold = dict(GoldAnswer.objects.filter(pair=pair).values_list("dimension__key", "strength")) if pair.is_gold else {}
    return {
        "pair": pair.pk,
        "campaign": {"id": campaign.pk, "name": campaign.name, "status": campaign.status},
        "is_gold": pair.is_gold, "overlap": pair.overlap, "taken": pair.taken, "completed": pair.completed,
        "prompt": _prompt(pair.video_a.prompt),
        "video_a": _video(pair.video_a, with_generator=True), "video_b": _video(pair.video_b, with_generator=True),
        "dimensions": keys, "answers": list(answers.values()), "adjudications": adjudications,
        "gold_answers": gold, "comments": pair_comments(pair_ids=[pair.pk]).get(pair.pk, []),
        "review_url": f"/review/{campaign.pk}/",
    }


def annotator_history_rows(*, annotator) -> QuerySet:
    """The annotator's submitted assignments, latest first (paged by the view)."""
    return (Assignment.objects.filter(annotator=annotator, state=AssignmentState.SUBMITTED)
            .select_related("campaign", "pair__video_a__prompt", "pair__video_b")
            .order_by("-finished_at", "-id"))


def annotator_history_page(*, assignments: list[Assignment], now: datetime | None = None) -> list[dict]:
    """One page of history: my answers per dimension (latest, and the original where edited), my
    temporal segments, whether and until when I may still edit, and the pair's comments. Four
    queries per page."""
    now = now or timezone.now()
    ids = [a.pk for a in assignments]
    answers: dict[int, list[dict]] = defaultdict(list)
    originals: dict[int, tuple[int, int]] = {}  # judgment -> (original strength, number of edits)
    for judgment_id, old in (JudgmentRevision.objects.filter(assignment_id__in=ids).order_by("id")
                             .values_list("judgment_id", "from_strength")):
        first, count = originals.get(judgment_id, (old, 0))
        originals[judgment_id] = (first, count + 1)
    for judgment_id, assignment_id, key, strength in (
            Judgment.objects.filter(assignment_id__in=ids).order_by("dimension__order", "dimension__key")
            .values_list("id", "assignment_id", "dimension__key", "strength")):
        original, edits = originals.get(judgment_id, (None, 0))
        answers[assignment_id].append({"dimension": key, "strength": strength, "original": original, "edits": edits})
    comments = pair_comments(pair_ids=[a.pair_id for a in assignments])
    segments = assignment_segments(assignment_ids=ids)
    items = []
    for a in assignments:
        until = edit_deadline(finished_at=a.finished_at, edit_window_minutes=a.campaign.edit_window_minutes)
        # gold pairs alike (services/answer_edits.py): nothing here tells them apart
        editable = (until is not None and now <= until and a.campaign.status != CampaignStatus.CLOSED
                    and bool(answers[a.pk]))
        items.append({
            "assignment": a.pk, "pair": a.pair_id,
            "campaign": {"id": a.campaign_id, "name": a.campaign.name},
            "prompt": _prompt(a.pair.video_a.prompt), "left": "a" if a.a_on_left else "b",
            "video_a": _video(a.pair.video_a, with_generator=False),
            "video_b": _video(a.pair.video_b, with_generator=False),
            "finished_at": _iso(a.finished_at), "editable": editable,
            "editable_until": _iso(until) if editable else None,
            "answers": answers[a.pk], "segments": segments.get(a.pk, []), "comments": comments.get(a.pair_id, []),
        })
    return items
