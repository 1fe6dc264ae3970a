"""Admin endpoints (imports now; exports and training arrive with their issues)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.api.permissions import IsStudioAdmin
from annotation.api.serializers import ImportRequestSerializer
from annotation.errors import ImportRejected
from annotation.services.audit import audit_record
from annotation.services.imports import videos_import_manifest

MAX_MANIFEST_BYTES = 50 * 1024 * 1024


def _base_dir(raw: str) -> Path:
    if not raw:
        return settings.IMPORT_ROOTS[0]
    resolved = Path(raw).resolve()
    if not any(resolved == root or root in resolved.parents for root in settings.IMPORT_ROOTS):
        raise ImportRejected(f"base_dir {raw!r} is outside the allowed import folders; set IMPORT_ROOTS to allow it")
    return resolved


class ImportView(APIView):
    """Import prompts and videos from a manifest of files on the server; all rows or none."""

    permission_classes = [IsStudioAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportRequestSerializer, responses={201: dict, 400: dict})
    def post(self, request):
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data["manifest"]
        if upload.size > MAX_MANIFEST_BYTES:
            raise ImportRejected(f"manifest is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB; split it")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRejected("manifest is not UTF-8 text") from exc
        report = videos_import_manifest(
            text=text, manifest_name=upload.name, base_dir=_base_dir(data.get("base_dir", "")),
            campaign=data.get("campaign"), on_duplicate=data["on_duplicate"],
        )
        audit_record(request=request, action="import", target=data.get("campaign"),
                     details={"manifest": upload.name, **report.as_dict()})
        return Response(report.as_dict(), status=status.HTTP_201_CREATED)
