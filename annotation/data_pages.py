"""Server-rendered shells of the data pages (frontend/src/data/): the data browser and the pair
page for reviewers and admins, and "my history" for annotators. The script gets its
configuration as JSON (filter choices, dimension names) and reads everything else from the API."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.models import Campaign, Pair, Video
from annotation.selectors.campaigns import dimension_list
from studio_platform.pages import MSG_NEEDS_ANNOTATOR, MSG_NEEDS_REVIEWER, forbidden, page_config
from studio_platform.roles import ANNOTATOR, REVIEWER, ROLES, user_has_role

MSG_NO_PAIR = _("No pair {pair_id}. The data browser lists them all.")


def _config(request, page: str, **extra) -> dict:
    return page_config(request, page=page, user={"is_reviewer": user_has_role(request.user, REVIEWER)},
                       urls={"data": reverse("data-browser"), "mine": reverse("my-history-page")},
                       dimensions=dimension_list(), **extra)


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
        return forbidden(request, MSG_NEEDS_REVIEWER)
    return render(request, "annotation/data.html",
                  {"page": "browser", "config": _config(request, "browser", choices=_filter_choices())})


@login_required
@ensure_csrf_cookie
def pair_page(request, pair_id: int):
    if not user_has_role(request.user, REVIEWER):
        return forbidden(request, MSG_NEEDS_REVIEWER)
    if not Pair.objects.filter(pk=pair_id).exists():
        return forbidden(request, MSG_NO_PAIR.format(pair_id=pair_id), status=404)
    return render(request, "annotation/data.html",
                  {"page": "pair", "pair_id": pair_id, "config": _config(request, "pair", pair_id=pair_id)})


@login_required
@ensure_csrf_cookie
def my_history(request):
    if not user_has_role(request.user, ANNOTATOR):
        return forbidden(request, MSG_NEEDS_ANNOTATOR)
    return render(request, "annotation/data.html", {"page": "mine", "config": _config(request, "mine")})
