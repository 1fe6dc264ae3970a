"""Server-rendered shells of the run pages (frontend/src/runs/): the list of runs and reward
models, and one run with live progress, charts, per-dimension metrics and samples."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie

from annotation.models import Campaign
from annotation.selectors.campaigns import dimension_list
from studio_platform.pages import MSG_NEEDS_ADMIN, MSG_NEEDS_REVIEWER, forbidden, page_config
from studio_platform.roles import ADMIN, REVIEWER, user_has_role
from training.runs.selectors import run_get


def _config(request, **extra) -> dict:
    # "dimensions": names (and their order) for the "<dimension>/<metric>" keys of runs; unknown keys show as is.
    return page_config(request, user={"is_admin": user_has_role(request.user, ADMIN)}, urls={"runs": reverse("runs")},
                       dimensions=dimension_list(), **extra)


@login_required
@ensure_csrf_cookie
def runs(request):
    if not user_has_role(request.user, REVIEWER):
        return forbidden(request, MSG_NEEDS_REVIEWER)
    return render(request, "training/runs.html", {"config": _config(request, page="runs")})


@login_required
@ensure_csrf_cookie
def run_detail(request, run_id: int):
    if not user_has_role(request.user, REVIEWER):
        return forbidden(request, MSG_NEEDS_REVIEWER)
    run = run_get(run_id=run_id)
    if run is None:
        return forbidden(request, f"No training run {run_id}. The runs page lists them all.", status=404)
    return render(request, "training/run.html", {"run": run, "config": _config(request, page="run", run_id=run.pk)})


@login_required
@ensure_csrf_cookie
def exports(request):
    """/studio/exports/ (admins): freeze, watch and download dataset versions."""
    if not user_has_role(request.user, ADMIN):
        return forbidden(request, MSG_NEEDS_ADMIN)
    # "dimensions": the form's dimension filter (none ticked: every dimension of the chosen campaigns).
    config = page_config(request, user={"is_admin": True},
                         campaigns=list(Campaign.objects.order_by("-created_at").values("id", "name")),
                         dimensions=dimension_list())
    return render(request, "training/exports.html", {"config": config})
