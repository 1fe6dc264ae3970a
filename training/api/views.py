"""Dataset endpoints: thin adapters over training.exports services and selectors.

Reviewers and admins may read and download; only admins create and (re)build. A file of a
version published to the bucket (STORAGE_BACKEND=s3) is a redirect to a short-lived signed URL,
so large downloads never pass through the web workers; otherwise it is streamed from disk."""
from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from django.http import FileResponse, HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from studio_platform.audit import audit_record
from studio_platform.errors import NotFound
from studio_platform.permissions import IsReviewer, IsStudioAdmin
from training.api import serializers as s
from training.exports import selectors, services, storage
from training.exports.errors import MSG_NOT_READY, DatasetNotReady
from training.models import DatasetStatus

MSG_NO_FILE = "{path!r} is not a file of this dataset version; its detail lists every file."
_CONTENT_TYPES = {".parquet": "application/vnd.apache.parquet", ".jsonl": "application/jsonl",
                  ".md": "text/markdown; charset=utf-8"}


def _version_or_404(request, pk: int):
    version = selectors.dataset_version_get(user=request.user, version_id=pk)
    if version is None:
        raise NotFound(f"No dataset version {pk}; list them at /api/datasets/.")
    return version


class DatasetListCreateView(ListAPIView):
    """GET: versions, newest first (reviewers, admins). POST: freeze a description and queue its build (admins)."""

    serializer_class = s.DatasetVersionSerializer

    def get_permissions(self):
        return [IsStudioAdmin()] if self.request.method == "POST" else [IsReviewer()]

    def get_queryset(self):
        return selectors.dataset_version_list(user=self.request.user)

    @extend_schema(request=s.DatasetCreateSerializer, responses={201: s.DatasetVersionSerializer})
    def post(self, request):
        body = s.DatasetCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = services.dataset_version_create(
            campaigns=data["campaigns"], dimension_keys=data["dimensions"],
            min_votes_per_pair=data["min_votes_per_pair"], min_agreement=data["min_agreement"],
            judged_before=data["judged_before"], test_fraction=data["test_fraction"],
            split_salt=data["split_salt"], name=data["name"], created_by=request.user,
        )
        audit_record(request=request, action="dataset.create", target=version,
                     details={"campaigns": version.campaign_ids})
        return Response(s.DatasetVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DatasetDetailView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses={200: s.DatasetVersionSerializer})
    def get(self, request, pk: int):
        return Response(s.DatasetVersionSerializer(_version_or_404(request, pk)).data)


class DatasetBuildView(APIView):
    """Queue a queued or failed version again."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={202: s.DatasetVersionSerializer})
    def post(self, request, pk: int):
        version = services.dataset_version_requeue(version=_version_or_404(request, pk))
        audit_record(request=request, action="dataset.build", target=version)
        return Response(s.DatasetVersionSerializer(version).data, status=status.HTTP_202_ACCEPTED)


class DatasetRebuildView(APIView):
    """A new version from this one's description (a ready version never changes)."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={201: s.DatasetVersionSerializer})
    def post(self, request, pk: int):
        version = services.dataset_version_rebuild(version=_version_or_404(request, pk), created_by=request.user)
        audit_record(request=request, action="dataset.rebuild", target=version, details={"from": pk})
        return Response(s.DatasetVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DatasetFileView(APIView):
    """Download one listed file of a ready version; nothing outside the version folder is reachable."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={(200, "application/octet-stream"): bytes,
                              302: OpenApiResponse(description="Signed URL of the file in the bucket (S3 storage)")})
    def get(self, request, pk: int, path: str):
        version = _version_or_404(request, pk)
        if "\x00" in path:  # PostgreSQL text cannot hold NUL: the lookup below would fail with a 500
            raise NotFound(MSG_NO_FILE.format(path=path))
        if version.status != DatasetStatus.READY:
            raise DatasetNotReady(MSG_NOT_READY.format(id=version.pk, status=version.status))
        record = selectors.dataset_file_get(version=version, path=path)
        if record is None:
            raise NotFound(MSG_NO_FILE.format(path=path))
        suffix = PurePosixPath(record.path).suffix
        content_type = (_CONTENT_TYPES.get(suffix) or mimetypes.guess_type(record.path)[0]
                        or "application/octet-stream")
        signed = storage.dataset_file_url(version_id=version.pk, path=record.path, content_type=content_type)
        if signed is not None:
            response = HttpResponseRedirect(signed)
            response["Cache-Control"] = "private, no-store"  # the signature expires; never cache the redirect
            return response
        folder = services.version_folder(version.pk).resolve()
        full = (folder / record.path).resolve()
        if folder not in full.parents or not full.is_file():
            raise NotFound(MSG_NO_FILE.format(path=path))
        response = FileResponse(open(full, "rb"), as_attachment=True, filename=full.name, content_type=content_type)
        response["ETag"] = f'"{record.sha256}"'
        response["Cache-Control"] = "private, max-age=86400, immutable"
        return response
