"""Server-rendered shells of the data pages (frontend/src/data/): the data browser and the pair
page for reviewers and admins, and "my history" for annotators. The script gets its
configuration as JSON (filter choices, dimension names) and reads everything else from the API."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.api.serializers import DimensionSerializer
from annotation.models import Campaign, Dimension, Pair, Video
from annotation.pages import MSG_NEEDS_ANNOTATOR, MSG_NEEDS_REVIEWER
from annotation.roles import ANNOTATOR, REVIEWER, ROLES, user_has_role

MSG_NO_PAIR = _("No pair {pair_id}. The data browser lists them all.")


def _forbidden(request, message: str, status: int = 403):
    return render(request, "annotation/forbidden.html", {"message": message}, status=status)


def _config(request, page: str, **extra) -> dict:
    return {
        "page": page,
        "user": {"username": request.user.get_username(), "is_reviewer": user_has_role(request.user, REVIEWER)},
        "urls": {"home": reverse("home"), "login": settings.LOGIN_URL, "api": "/api/",
                 "data": reverse("data-browser"), "mine": reverse("my-history-page")},
        "dimensions": DimensionSerializer(Dimension.objects.order_by("order", "key"), many=True).data,
        **extra,
    }


def _filter_choices() -> dict:
    """What the browser's filter menus offer (names only; the API validates every value)."""
    people = (get_user_model().objects.filter(groups__name__in=ROLES).distinct().order_by("username")
              .values("id", "username"))
    return {
        "campaigns": list(Campaign.objects.order_by("name").values("id", "name")),
        "generators": list(Video.objects.order_by("generator").values_list("generator", flat=True).distinct()),
        "annotators": list(people),
    }


@login_required
@ensure_csrf_cookie
def data_browser(request):
    if not user_has_role(request.user, REVIEWER):
        return _forbidden(request, MSG_NEEDS_REVIEWER)
    return render(request, "annotation/data.html",
                  {"page": "browser", "config": _config(request, "browser", choices=_filter_choices())})


@login_required
@ensure_csrf_cookie
def pair_page(request, pair_id: int):
    if not user_has_role(request.user, REVIEWER):
        return _forbidden(request, MSG_NEEDS_REVIEWER)
    if not Pair.objects.filter(pk=pair_id).exists():
        return _forbidden(request, MSG_NO_PAIR.format(pair_id=pair_id), status=404)
    return render(request, "annotation/data.html",
                  {"page": "pair", "pair_id": pair_id, "config": _config(request, "pair", pair_id=pair_id)})


@login_required
@ensure_csrf_cookie
def my_history(request):
    if not user_has_role(request.user, ANNOTATOR):
        return _forbidden(request, MSG_NEEDS_ANNOTATOR)
    return render(request, "annotation/data.html", {"page": "mine", "config": _config(request, "mine")})
