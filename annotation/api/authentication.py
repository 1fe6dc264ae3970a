"""Token authentication that loads the user and their studio roles in one query.

DRF's TokenAuthentication selects the token with its user, and every permission check then asks
`auth_group` for the roles: two round trips (and two ORM query compilations) on every API call.
Annotators call `next` and `submit` several times a minute each, so this class reads both in one
raw statement and leaves the roles where `studio_platform.roles.user_roles` looks for them. Behaviour is
DRF's: the same `Authorization: Token <key>` header, the same 401 messages, inactive users refused.
Nothing is cached across requests: a revoked token or a removed role applies to the next request.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.http import QueryDict
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from annotation.db import hot_cursor
from studio_platform.roles import ADMIN, ROLES

_user_sql_cache: tuple[str, list[str]] | None = None


def _user_sql() -> tuple[str, list[str]]:
    """The statement and the user model's column attnames, built once per process."""
    global _user_sql_cache
    if _user_sql_cache is None:
        user_model = get_user_model()
        fields = [f.attname for f in user_model._meta.concrete_fields]
        columns = ", ".join(f'u."{user_model._meta.get_field(f).column}"' for f in fields)
        sql = (
            f"SELECT {columns}, ARRAY(SELECT g.name FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id "
            f"WHERE ug.user_id = u.id AND g.name = ANY(%s)) "
            f"FROM {Token._meta.db_table} t JOIN {user_model._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
        )
        _user_sql_cache = (sql, fields)
    return _user_sql_cache


class RoleTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; loads the user with their roles (one query)."""

    def authenticate_credentials(self, key):
        sql, fields = _user_sql()
        with hot_cursor() as cursor:
            cursor.execute(sql, [list(ROLES), key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = get_user_model().from_db(connection.alias, fields, row[:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        roles = set(row[-1])
        if user.is_superuser:
            roles.add(ADMIN)
        user._studio_roles = roles  # what studio_platform.roles.user_roles reads
        return user, Token(key=key, user=user)


class HeaderCsrfSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, with the CSRF token read from the X-CSRFToken header only.

    Django's CSRF check looks for a `csrfmiddlewaretoken` form field first, which parses the whole
    body (a multipart upload is spooled to a temporary file) before DRF has checked the role: an
    annotator could make the server write hundreds of MiB on an admin-only endpoint and get a 403
    afterwards. The studio's own clients send the header (frontend/src/lib/api.ts, Swagger UI), so
    the check is shown an empty form: it then takes the header, and the body stays unread until a
    view that passed its permission checks asks for it."""

    def enforce_csrf(self, request):
        django_request = request._request
        if hasattr(django_request, "_post"):  # already parsed by someone: nothing left to protect
            return super().enforce_csrf(request)
        django_request._post = QueryDict()  # what Django's check reads as the form
        try:
            super().enforce_csrf(django_request)  # DRF's check, run on the plain Django request
        finally:
            del django_request._post  # the view's parser reads the body later, if the view gets that far


class HeaderCsrfSessionScheme(SessionScheme):
    """The OpenAPI schema describes it as DRF's session authentication (cookie + CSRF header)."""

    target_class = "annotation.api.authentication.HeaderCsrfSessionAuthentication"
