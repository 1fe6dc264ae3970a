"""GET /api/datasets/<id>/archive/?kind=zip|tar|tar.gz: a ready version as one streamed archive
(training/exports/archive.py). Reviewers and admins, like the per-file downloads."""
from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from studio_platform.errors import ValidationFailed
from studio_platform.permissions import IsReviewer
from training.api.views import _version_or_404
from training.artifacts import ArtifactError
from training.exports import archive, services
from training.exports.errors import MSG_NOT_READY, DatasetFilesMissing, DatasetNotReady
from training.models import DatasetStatus


class DatasetArchiveView(APIView):
    """Every file of a ready version in one zip/tar/tar.gz, streamed from the store without a temp copy."""

    permission_classes = [IsReviewer]

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(archive.FORMATS), default="zip")],
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request, pk: int):
        fmt = request.query_params.get("kind", "zip")
        if fmt not in archive.FORMATS:
            raise ValidationFailed(archive.MSG_FORMAT.format(choices=", ".join(archive.FORMATS), got=fmt[:20]))
        version = _version_or_404(request, pk)
        if version.status != DatasetStatus.READY:
            raise DatasetNotReady(MSG_NOT_READY.format(id=version.pk, status=version.status))
        try:
            members = archive.archive_members(version=version, folder=services.version_folder(version.pk))
        except ArtifactError as exc:
            raise DatasetFilesMissing(str(exc)) from exc
        response = StreamingHttpResponse(archive.archive_stream(version=version, members=members, fmt=fmt),
                                         content_type=archive.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{archive.archive_name(version=version, fmt=fmt)}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Accel-Buffering"] = "no"  # nginx: pass pieces on as they come
        return response
