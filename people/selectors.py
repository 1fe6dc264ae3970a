"""Reads of people management: everyone with a studio role (or none yet), their state and
statistics summed over campaigns from the cached per-campaign annotator reports (the same
figures the review page shows; annotation/selectors/quality_annotators.py)."""
from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from annotation.models import AnnotatorState, AnnotatorStatus, Assignment, AssignmentState, Campaign
from annotation.selectors.quality_annotators import campaign_annotator_report
from annotation.selectors.quality_cache import quality_report_cached
from people.models import SignInLink
from studio_platform.roles import ADMIN, ROLES

MAX_PEOPLE = 500


def _quality_by_person() -> dict[int, dict]:
    """Person id -> gold answers/correct and agreement pairs/agreeing, over every campaign."""
    totals: dict[int, dict] = defaultdict(lambda: {"gold_n": 0, "gold_ok": 0.0, "agree_n": 0, "agree_ok": 0.0})
    for campaign in Campaign.objects.order_by("pk"):
        report = quality_report_cached(kind="annotators", campaign_id=campaign.pk,
                                       compute=lambda c=campaign: campaign_annotator_report(campaign=c))
        for row in report["annotators"]:
            t = totals[row["id"]]
            gold = row.get("gold") or {}
            if gold.get("direction_accuracy") is not None:
                t["gold_n"] += gold["n_answers"]
                t["gold_ok"] += gold["direction_accuracy"] * gold["n_answers"]
            for dim in (row.get("agreement") or {}).get("per_dimension", {}).values():
                if dim.get("direction_agreement") is not None:
                    t["agree_n"] += dim["n"]
                    t["agree_ok"] += dim["direction_agreement"] * dim["n"]
    return totals


def _status(user, paused: int, open_invite: bool) -> str:
    if paused:
        return "paused"
    if open_invite and not user.has_usable_password():
        return "invited"
    return "active"


def people_list() -> list[dict]:
    """Everyone (up to MAX_PEOPLE), admins first, then by username."""
    User = get_user_model()
    users = list(User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")[:MAX_PEOPLE])
    ids = [u.pk for u in users]
    submitted = dict(Assignment.objects.filter(annotator_id__in=ids).order_by().values("annotator_id")
                     .annotate(n=Count("id", filter=Q(state=AssignmentState.SUBMITTED)))
                     .values_list("annotator_id", "n"))
    paused = dict(AnnotatorStatus.objects.filter(annotator_id__in=ids, state=AnnotatorState.PAUSED).order_by()
                  .values("annotator_id").annotate(n=Count("id")).values_list("annotator_id", "n"))
    open_links = set(SignInLink.objects.filter(user_id__in=ids, used_at__isnull=True, expires_at__gt=timezone.now())
                     .values_list("user_id", flat=True))
    quality = _quality_by_person()
    people = []
    for user in users:
        roles = sorted({g.name for g in user.groups.all()} & set(ROLES) | ({ADMIN} if user.is_superuser else set()))
        q = quality.get(user.pk, {})
        people.append({
            "id": user.pk, "username": user.username, "email": user.email, "roles": roles,
            "status": _status(user, paused.get(user.pk, 0), user.pk in open_links),
            "paused_campaigns": paused.get(user.pk, 0),
            "submitted": submitted.get(user.pk, 0),
            "gold_accuracy": q["gold_ok"] / q["gold_n"] if q.get("gold_n") else None,
            "gold_answers": q.get("gold_n", 0),
            "agreement": q["agree_ok"] / q["agree_n"] if q.get("agree_n") else None,
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "date_joined": user.date_joined.isoformat(),
        })
    people.sort(key=lambda p: (ADMIN not in p["roles"], p["username"].lower()))
    return people


def person_get(*, person_id: int):
    return get_user_model().objects.filter(pk=person_id, is_active=True).first()
