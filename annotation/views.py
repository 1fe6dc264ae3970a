"""Server-rendered pages: the landing page and the health check. The labelling UI lives in frontend/."""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotation.selectors.campaigns import campaign_list_for_user, campaign_progress
from studio_platform.roles import ADMIN, REVIEWER, user_has_role, user_roles

logger = logging.getLogger(__name__)


@login_required
def home(request):
    campaigns = [
        {"campaign": c, "progress": campaign_progress(campaign=c, user=request.user)}
        for c in campaign_list_for_user(user=request.user)
    ]
    return render(request, "annotation/home.html", {
        "campaigns": campaigns,
        "roles": sorted(user_roles(request.user)),
        "is_reviewer": user_has_role(request.user, REVIEWER),
        "is_admin": user_has_role(request.user, ADMIN),
    })


def _check_broker() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.ping()
    return "ok"


def _check_storage() -> str:
    # S3: HEAD the bucket (raises on a wrong endpoint, a missing bucket or bad credentials);
    # the filesystem: stat a path under MEDIA_ROOT.
    from django.core.files.storage import default_storage

    bucket_name = getattr(default_storage, "bucket_name", None)
    if bucket_name:
        default_storage.connection.meta.client.head_bucket(Bucket=bucket_name)
    else:
        default_storage.exists("healthz-probe")
    return "ok"


@require_GET
def healthz(request):
    """Database, broker and media storage reachability; 503 when any is down so load balancers take us out."""
    checks, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"], healthy = f"error: {exc.__class__.__name__}", False
    try:
        checks["broker"] = _check_broker()
    except Exception as exc:  # noqa: BLE001
        checks["broker"], healthy = f"error: {exc.__class__.__name__}", False
    try:
        checks["storage"] = _check_storage()
    except Exception as exc:  # noqa: BLE001
        checks["storage"], healthy = f"error: {exc.__class__.__name__}", False
    return JsonResponse({"status": "ok" if healthy else "unhealthy", "checks": checks}, status=200 if healthy else 503)


def _favicon_bytes() -> bytes:
    """A 32 px icon drawn once: two overlapping frames (left and right clip), the studio's colours."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 6, 20, 24), radius=3, fill=(91, 141, 239, 255))
    draw.rounded_rectangle((12, 10, 30, 28), radius=3, fill=(239, 120, 160, 255))
    out = BytesIO()
    image.save(out, format="ICO", sizes=[(32, 32)])
    return out.getvalue()


_FAVICON: bytes | None = None


@require_GET
def favicon(request):
    """/favicon.ico: browsers ask for it on every page (it used to be a 404 each time)."""
    from django.http import HttpResponse

    global _FAVICON
    if _FAVICON is None:
        _FAVICON = _favicon_bytes()
    response = HttpResponse(_FAVICON, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
