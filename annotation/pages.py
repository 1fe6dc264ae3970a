"""Server-rendered shells of the TypeScript pages (frontend/): the labelling and the review page.

Each view checks the role, renders a template that loads `studio/<page>.js` and `.css` from
frontend/dist through {% static %}, and hands the script its configuration as JSON.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.api.serializers import DimensionSerializer
from annotation.selectors.campaigns import campaign_list_for_user
from studio_platform.pages import MSG_NEEDS_ANNOTATOR, MSG_NEEDS_REVIEWER, forbidden, page_config
from studio_platform.roles import ANNOTATOR, REVIEWER, user_has_role


def _config(request, campaign, **extra) -> dict:
    return page_config(request, campaign={"id": campaign.pk, "name": campaign.name, "protocol": campaign.protocol,
                                          "instructions": campaign.instructions}, **extra)


@login_required
@ensure_csrf_cookie
def label(request, campaign_id: int):
    if not user_has_role(request.user, ANNOTATOR):
        return forbidden(request, MSG_NEEDS_ANNOTATOR)
    campaign = get_object_or_404(campaign_list_for_user(user=request.user), pk=campaign_id)
    return render(request, "annotation/label.html", {"campaign": campaign, "config": _config(request, campaign)})


@login_required
@ensure_csrf_cookie
def review(request, campaign_id: int):
    if not user_has_role(request.user, REVIEWER):
        return forbidden(request, MSG_NEEDS_REVIEWER)
    campaign = get_object_or_404(campaign_list_for_user(user=request.user), pk=campaign_id)
    dimensions = DimensionSerializer(campaign.dimensions.order_by("order", "key"), many=True).data
    return render(request, "annotation/review.html",
                  {"campaign": campaign, "config": _config(request, campaign, dimensions=dimensions)})
