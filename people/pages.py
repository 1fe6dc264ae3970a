"""Server-rendered pages: /studio/people/ (admins; the front end in frontend/src/people/) and
/accounts/welcome/<token>/, where a one-time sign-in link sets the person's password."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from people import services
from studio_platform.errors import StudioError
from studio_platform.pages import MSG_NEEDS_ADMIN, forbidden, page_config
from studio_platform.roles import ADMIN, ROLES, user_has_role


@login_required
@ensure_csrf_cookie
def people(request):
    if not user_has_role(request.user, ADMIN):
        return forbidden(request, MSG_NEEDS_ADMIN)
    config = page_config(request, user={"id": request.user.pk}, roles=list(ROLES))
    return render(request, "people/people.html", {"config": config})


def _no_foreign_referrer(response):
    # The token is in this page's URL: never send it to another site as a Referer. (Not
    # "no-referrer": browsers then post the form with Origin: null, which the CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def welcome(request, token: str):
    """GET: the set-password form if the link is open. POST: set it, sign in, go home."""
    error, status = "", 200
    try:
        link = services.sign_in_link_open(token=token)
    except StudioError as exc:
        return _no_foreign_referrer(render(request, "people/welcome.html", {"invalid": gettext(exc.detail)},
                                           status=exc.status_code))
    if request.method == "POST":
        try:
            user = services.sign_in_link_redeem(token=token, password=request.POST.get("password", ""),
                                                password_again=request.POST.get("password_again", ""),
                                                request=request)
        except StudioError as exc:
            # The services' messages are English constants; the catalog (locale/) has them in zh/ja,
            # and Django's password validators already speak the active language.
            error, status = gettext(exc.detail), exc.status_code
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(settings.LOGIN_REDIRECT_URL)
    context = {"person": link.user, "purpose": link.purpose, "expires_at": link.expires_at, "error": error}
    return _no_foreign_referrer(render(request, "people/welcome.html", context, status=status))
