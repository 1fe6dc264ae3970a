"""What every server-rendered page shell shares: the not-allowed page, the role messages, and the
start of the JSON configuration a page script reads (who is signed in, the shared URLs)."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MSG_NEEDS_ANNOTATOR = _("Labelling needs the annotator role. Ask an admin to add you to the 'annotator' group.")
MSG_NEEDS_REVIEWER = _("This page is for reviewers and admins. Ask an admin to add you to the 'reviewer' group.")
MSG_NEEDS_ADMIN = _("This page is for admins; ask an admin for the role.")


def forbidden(request, message: str, *, status: int = 403):
    """The "you cannot open this page" page, with why (a role message) and its status (403, or 404)."""
    return render(request, "studio_platform/forbidden.html", {"message": message}, status=status)


def page_config(request, *, user: dict | None = None, urls: dict | None = None, **extra) -> dict:
    """A page script's configuration: `user` (username plus `user`'s keys), `urls` (home, login and
    the API root plus `urls`' keys), then `extra` as top-level keys."""
    return {
        "user": {"username": request.user.get_username(), **(user or {})},
        "urls": {"home": reverse("home"), "login": settings.LOGIN_URL, "api": "/api/", **(urls or {})},
        **extra,
    }
