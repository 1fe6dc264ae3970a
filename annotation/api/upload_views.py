"""Admin upload of one video through the browser: POST /api/uploads/ (multipart), and
GET /api/uploads/{id}/ to follow its processing.

The body is streamed to a temporary file by Django's TemporaryFileUploadHandler (never held in
memory) and cut off at MEDIA_MAX_FILE_BYTES with a 413; the service then checks, stores and queues it.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.models import Campaign, Prompt, Video
from annotation.services.uploads import MAX_IMAGE_BYTES, UploadTooLarge, video_upload_create
from studio_platform.audit import audit_record
from studio_platform.permissions import IsStudioAdmin

FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and the small text fields


def _too_large(limit: int, what: str) -> UploadTooLarge:
    return UploadTooLarge(
        f"{what} is larger than {limit / 2**20:.1f} MiB (MEDIA_MAX_FILE_BYTES); nothing was stored. "
        "Compress or trim the video, or ask an operator to raise the limit.",
        extra={"reason": "file_too_big", "limit_bytes": limit},
    )


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file and stops as soon as one passes its size limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = settings.MEDIA_MAX_FILE_BYTES + MAX_IMAGE_BYTES + FORM_OVERHEAD_BYTES
        if content_length and content_length > limit:  # refused before a byte of the body is read
            raise _too_large(settings.MEDIA_MAX_FILE_BYTES, "The upload")

    def receive_data_chunk(self, raw_data, start):
        limit = MAX_IMAGE_BYTES if self.field_name == "initial_image" else settings.MEDIA_MAX_FILE_BYTES
        if start + len(raw_data) > limit:
            self.file.close()  # a NamedTemporaryFile: closing deletes it
            raise _too_large(limit, f"The {self.field_name} file")
        return super().receive_data_chunk(raw_data, start)


class UploadRequestSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="The video (MP4, WebM, MKV, AVI, MOV).")
    generator = serializers.CharField(max_length=120, help_text="Never shown to annotators.")
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=-(2**63), max_value=2**63 - 1)
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True,
                                                  help_text="Also pair the video with its prompt's videos here.")
    prompt_id = serializers.PrimaryKeyRelatedField(queryset=Prompt.objects.all(), required=False, allow_null=True)
    prompt = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                   help_text="Prompt text, with initial_image, when prompt_id is not given.")
    initial_image = serializers.FileField(required=False, allow_null=True)
    action_label = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class UploadedVideoSerializer(serializers.ModelSerializer):
    """Admin view of one video and its processing state."""

    class Meta:
        model = Video
        fields = ["id", "prompt", "generator", "seed", "sha256", "status", "failure_code", "failure_reason",
                  "container", "codec", "width", "height", "fps", "frame_count", "duration_s", "rotation",
                  "size_bytes", "processed_at"]


class UploadView(APIView):
    """Upload one video (admin); it is registered pending and processed by the media queue."""

    permission_classes = [IsStudioAdmin]
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body (session authentication's CSRF check does).
        request._request.upload_handlers = [LimitedTemporaryFileUploadHandler(request._request)]
        super().initial(request, *args, **kwargs)

    @extend_schema(request=UploadRequestSerializer, responses={201: UploadedVideoSerializer, 400: dict, 409: dict,
                                                              413: dict})
    def post(self, request):
        body = UploadRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = video_upload_create(
            file=data["file"], generator=data["generator"], seed=data.get("seed"), campaign=data.get("campaign"),
            prompt=data.get("prompt_id"), prompt_text=data.get("prompt", ""),
            initial_image=data.get("initial_image"), action_label=data.get("action_label", ""),
        )
        payload = {**UploadedVideoSerializer(result.video).data, "prompt_created": result.prompt_created,
                   "pairs_created": result.pairs_created}
        audit_record(request=request, action="upload", target=result.video,
                     details={"file": data["file"].name, **payload})
        return Response(payload, status=status.HTTP_201_CREATED)


class UploadDetailView(APIView):
    """Processing state of one video (admin): poll until `status` is ready or failed."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(responses={200: UploadedVideoSerializer})
    def get(self, request, pk: int):
        return Response(UploadedVideoSerializer(get_object_or_404(Video, pk=pk)).data)


upload_urls = [
    path("uploads/", UploadView.as_view(), name="upload"),
    path("uploads/<int:pk>/", UploadDetailView.as_view(), name="upload-detail"),
]
