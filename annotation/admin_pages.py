"""Server-rendered shells of the admin pages (frontend/src/admin/): campaigns and imports.
Admin only; the scripts read and write through the API (/api/campaigns/, /api/imports/...)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.api.serializers import DimensionSerializer
from annotation.models import CampaignProtocol, CampaignStatus, Dimension, PairingStrategy, SelectionPolicy
from annotation.roles import ADMIN, user_has_role

MSG_NEEDS_ADMIN = _("This page is for admins. Ask an admin to add you to the 'admin' group.")


def _config(request, page: str) -> dict:
    return {
        "page": page,
        "user": {"username": request.user.get_username()},
        "urls": {"home": reverse("home"), "login": settings.LOGIN_URL, "api": "/api/",
                 "campaigns": reverse("studio-campaigns"), "imports": reverse("studio-imports")},
        "dimensions": DimensionSerializer(Dimension.objects.order_by("order", "key"), many=True).data,
        "choices": {"protocol": CampaignProtocol.values, "status": CampaignStatus.values,
                    "selection_policy": SelectionPolicy.values, "pairing": PairingStrategy.values},
    }


def _page(request, page: str, template: str):
    if not user_has_role(request.user, ADMIN):
        return render(request, "annotation/forbidden.html", {"message": MSG_NEEDS_ADMIN}, status=403)
    return render(request, template, {"config": _config(request, page)})


@login_required
@ensure_csrf_cookie
def campaigns(request):
    return _page(request, "campaigns", "annotation/admin_campaigns.html")


@login_required
@ensure_csrf_cookie
def imports(request):
    return _page(request, "imports", "annotation/admin_imports.html")
