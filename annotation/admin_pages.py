"""Server-rendered shells of the admin pages (frontend/src/admin/): campaigns and imports.
Admin only; the scripts read and write through the API (/api/campaigns/, /api/imports/...)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.models import CampaignProtocol, CampaignStatus, PairingStrategy, SelectionPolicy
from annotation.selectors.campaigns import dimension_list
from studio_platform.pages import forbidden, page_config
from studio_platform.roles import ADMIN, user_has_role

MSG_NEEDS_ADMIN = _("This page is for admins. Ask an admin to add you to the 'admin' group.")


def _config(request, page: str) -> dict:
    return page_config(
        request, page=page, urls={"campaigns": reverse("studio-campaigns"), "imports": reverse("studio-imports")},
        dimensions=dimension_list(),
        choices={"protocol": CampaignProtocol.values, "status": CampaignStatus.values,
                 "selection_policy": SelectionPolicy.values, "pairing": PairingStrategy.values},
    )


def _page(request, page: str, template: str):
    if not user_has_role(request.user, ADMIN):
        return forbidden(request, MSG_NEEDS_ADMIN)
    return render(request, template, {"config": _config(request, page)})


@login_required
@ensure_csrf_cookie
def campaigns(request):
    return _page(request, "campaigns", "annotation/admin_campaigns.html")


@login_required
@ensure_csrf_cookie
def imports(request):
    return _page(request, "imports", "annotation/admin_imports.html")
