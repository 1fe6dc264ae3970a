"""The imports page's endpoints beside POST /api/imports/ (admin_views.py): an import whose files
come with the request, the server folders to pick from, and processing progress of an import's videos."""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.api.admin_views import import_response, manifest_text
from annotation.api.serializers import StrictIntegerField
from annotation.models import Campaign
from annotation.selectors.imports import import_folders, import_progress
from annotation.services.import_bundles import MAX_BUNDLE_FILES, import_bundle_run
from studio_platform.errors import ImportRejected
from studio_platform.permissions import IsStudioAdmin

# The whole upload (manifest + files); larger sets are imported from a server folder.
MAX_BUNDLE_BYTES = 2 * 1024**3
MAX_PROGRESS_IDS = 100_000


class BundleUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file; refuses a body over MAX_BUNDLE_BYTES before reading
    it and any one file over MEDIA_MAX_FILE_BYTES as soon as it gets there."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > MAX_BUNDLE_BYTES:
            raise ImportRejected(f"the upload is larger than {MAX_BUNDLE_BYTES // 2**20} MiB; "
                                 "import it from a server folder instead")

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.MEDIA_MAX_FILE_BYTES:
            self.file.close()
            raise ImportRejected(f"{self.file_name!r} is larger than MEDIA_MAX_FILE_BYTES; nothing was stored")
        return super().receive_data_chunk(raw_data, start)


class ImportBundleSerializer(serializers.Serializer):
    manifest = serializers.FileField(help_text="A .jsonl or .csv manifest naming the uploaded files.")
    files = serializers.ListField(child=serializers.FileField(allow_empty_file=True), required=False,
                                  max_length=MAX_BUNDLE_FILES, help_text="The images and videos the manifest names.")
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    on_duplicate = serializers.ChoiceField(choices=["error", "skip"], default="error")
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportBundleView(APIView):
    """Import a manifest together with its files (admin); all rows or none, `dry_run` writes nothing."""

    permission_classes = [IsStudioAdmin]
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        request._request.upload_handlers = [BundleUploadHandler(request._request)]  # before the body is read
        super().initial(request, *args, **kwargs)

    @extend_schema(request=ImportBundleSerializer, responses={200: dict, 201: dict, 400: dict})
    def post(self, request):
        body = ImportBundleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data["manifest"]
        report = import_bundle_run(
            manifest_text=manifest_text(upload), manifest_name=upload.name, files=data.get("files", []),
            campaign=data.get("campaign"), on_duplicate=data["on_duplicate"], dry_run=data["dry_run"],
        )
        return import_response(request, report, manifest=upload.name, campaign=data.get("campaign"))


class ImportFoldersView(APIView):
    """Folders inside IMPORT_ROOTS that hold a manifest (admin)."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response({"roots": [str(r) for r in settings.IMPORT_ROOTS],
                         "folders": import_folders(roots=settings.IMPORT_ROOTS)})


class ImportProgressRequestSerializer(serializers.Serializer):
    videos = serializers.ListField(child=StrictIntegerField(min_value=1), max_length=MAX_PROGRESS_IDS,
                                   help_text="The `video_ids` an import answered with.")


class ImportProgressView(APIView):
    """How many of an import's videos are pending, ready or failed, and why they failed (admin).
    A POST because an import's ids do not fit in a URL; it reads only."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=ImportProgressRequestSerializer, responses={200: dict})
    def post(self, request):
        body = ImportProgressRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(import_progress(video_ids=body.validated_data["videos"]))


import_urls = [
    path("imports/bundle/", ImportBundleView.as_view(), name="import-bundle"),
    path("imports/folders/", ImportFoldersView.as_view(), name="import-folders"),
    path("imports/progress/", ImportProgressView.as_view(), name="import-progress"),
]
