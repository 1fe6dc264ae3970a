"""Admin endpoints: the manifest import (the imports page's other endpoints are in import_views.py)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.api.serializers import ImportRequestSerializer
from annotation.import_messages import import_report_display
from annotation.services.imports import videos_import_manifest
from studio_platform.audit import audit_record
from studio_platform.errors import ImportRejected
from studio_platform.permissions import IsStudioAdmin

MAX_MANIFEST_BYTES = 50 * 1024 * 1024


def _base_dir(raw: str) -> Path:
    if not raw:
        return settings.IMPORT_ROOTS[0]
    resolved = Path(raw).resolve()
    if not any(resolved == root or root in resolved.parents for root in settings.IMPORT_ROOTS):
        raise ImportRejected(f"base_dir {raw!r} is outside the allowed import folders; add it to IMPORT_ROOTS "
                             "(a comma-separated list of folders) to allow it")
    return resolved


def _manifest_from_server(raw: str) -> tuple[str, str, Path]:
    """(text, name, folder) of a manifest file on the server, inside IMPORT_ROOTS."""
    path = _base_dir(raw)
    if not path.is_file():
        raise ImportRejected(f"server_manifest {raw!r} is not a file; pick one the folder list shows")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ImportRejected(f"manifest is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB; split it")
    try:
        return path.read_text(encoding="utf-8"), path.name, path.parent
    except UnicodeDecodeError as exc:
        raise ImportRejected("manifest is not UTF-8 text") from exc


def manifest_text(upload) -> str:
    if upload.size > MAX_MANIFEST_BYTES:
        raise ImportRejected(f"manifest is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB; split it")
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRejected("manifest is not UTF-8 text") from exc


def import_response(request, report, *, manifest: str, campaign) -> Response:
    """The report; a real import (not a dry run) is audited, without its per-video ids."""
    data = report.as_dict()
    if report.dry_run:
        return Response(import_report_display(data), status=status.HTTP_200_OK)
    details = {k: v for k, v in data.items() if k not in ("video_ids", "errors", "error_groups")}
    audit_record(request=request, action="import", target=campaign, details={"manifest": manifest, **details})
    return Response(import_report_display(data), status=status.HTTP_201_CREATED)


class ImportView(APIView):
    """Import prompts and videos from a manifest of files on the server; all rows or none.

    The manifest is uploaded (`manifest`) or read from the server (`server_manifest`, a path inside
    IMPORT_ROOTS; relative media paths then resolve against its folder). `dry_run` checks every
    row and answers 200 with the report and the problems grouped by cause, writing nothing."""

    permission_classes = [IsStudioAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportRequestSerializer, responses={200: dict, 201: dict, 400: dict})
    def post(self, request):
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload, server_manifest = data.get("manifest"), data.get("server_manifest", "")
        if bool(upload) == bool(server_manifest):
            raise ImportRejected("send either a manifest file or server_manifest (a manifest on the server)")
        if upload:
            text, name, base_dir = manifest_text(upload), upload.name, _base_dir(data.get("base_dir", ""))
        else:
            text, name, base_dir = _manifest_from_server(server_manifest)
            if data.get("base_dir"):
                base_dir = _base_dir(data["base_dir"])
        report = videos_import_manifest(
            text=text, manifest_name=name, base_dir=base_dir, campaign=data.get("campaign"),
            on_duplicate=data["on_duplicate"], dry_run=data["dry_run"],
        )
        return import_response(request, report, manifest=name, campaign=data.get("campaign"))
