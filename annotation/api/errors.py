"""One error shape for the whole API: {"code": ..., "detail": ..., ...extra}."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from annotation.import_messages import import_report_display
from studio_platform.errors import ImportRejected, StudioError

MSG_BODY_INVALID = _("The request body is invalid; see 'fields'.")


def api_exception_handler(exc, context):
    if isinstance(exc, StudioError):
        body = {"code": exc.code, "detail": exc.detail, **exc.extra}
        if isinstance(exc, ImportRejected):
            body = import_report_display(body)  # grouped in English, shown in the reader's language
        return Response(body, status=exc.status_code)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        code = getattr(data["detail"], "code", "error")
        response.data = {"code": code, "detail": str(data["detail"])}
    elif response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = {"code": "invalid", "detail": str(MSG_BODY_INVALID), "fields": data}
    return response
