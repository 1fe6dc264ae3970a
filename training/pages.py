"""Server-rendered shells of the run pages (frontend/src/runs/): the list of runs and reward
models, and one run with live progress, charts, per-dimension metrics and samples."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.api.serializers import DimensionSerializer
from annotation.models import Campaign, Dimension
from annotation.pages import MSG_NEEDS_REVIEWER
from annotation.roles import ADMIN, REVIEWER, user_has_role
from training.runs.selectors import run_get

MSG_NEEDS_ADMIN = _("This page is for admins; ask an admin for the role.")


def _config(request, **extra) -> dict:
    return {
        "user": {"username": request.user.get_username(), "is_admin": user_has_role(request.user, ADMIN)},
        "urls": {"home": reverse("home"), "login": settings.LOGIN_URL, "api": "/api/", "runs": reverse("runs")},
        # Names (and their order) for the "<dimension>/<metric>" keys of runs; unknown keys show as is.
        "dimensions": DimensionSerializer(Dimension.objects.order_by("order", "key"), many=True).data,
        **extra,
    }


def _forbidden(request):
    return render(request, "annotation/forbidden.html", {"message": MSG_NEEDS_REVIEWER}, status=403)


@login_required
@ensure_csrf_cookie
def runs(request):
    if not user_has_role(request.user, REVIEWER):
        return _forbidden(request)
    return render(request, "training/runs.html", {"config": _config(request, page="runs")})


@login_required
@ensure_csrf_cookie
def run_detail(request, run_id: int):
    if not user_has_role(request.user, REVIEWER):
        return _forbidden(request)
    run = run_get(run_id=run_id)
    if run is None:
        return render(request, "annotation/forbidden.html",
                      {"message": f"No training run {run_id}. The runs page lists them all."}, status=404)
    return render(request, "training/run.html", {"run": run, "config": _config(request, page="run", run_id=run.pk)})


@login_required
@ensure_csrf_cookie
def exports(request):
    """/studio/exports/ (admins): freeze, watch and download dataset versions."""
    if not user_has_role(request.user, ADMIN):
        return render(request, "annotation/forbidden.html", {"message": MSG_NEEDS_ADMIN}, status=403)
    config = {
        "user": {"username": request.user.get_username(), "is_admin": True},
        "urls": {"login": settings.LOGIN_URL, "api": "/api/"},
        "campaigns": list(Campaign.objects.order_by("-created_at").values("id", "name")),
        # The form's dimension filter (none ticked: every dimension of the chosen campaigns).
        "dimensions": DimensionSerializer(Dimension.objects.order_by("order", "key"), many=True).data,
    }
    return render(request, "training/exports.html", {"config": config})
