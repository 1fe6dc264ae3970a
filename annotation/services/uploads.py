"""One video uploaded through the browser (POST /api/uploads/): check it, store it content-addressed,
register it pending (paired at once when a campaign is given) and queue its processing.

Everything is checked before anything is stored: a rejected upload leaves no row and no file.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from annotation.models import Campaign, Prompt, Video, VideoStatus
from annotation.services.imports import image_file_check
from annotation.services.media_pipeline import (
    FILE_TOO_BIG,
    PAIRABLE_STATUSES,
    MediaRejected,
    media_file_check,
    storage_delete_quietly,
    storage_put,
    stored_video_suffix,
)
from annotation.services.media_queue import videos_enqueue_processing
from annotation.services.pairs import pairs_create_for_prompts
from media_io import VideoProbe, sha256_file
from studio_platform.errors import StudioError

MAX_IMAGE_BYTES = 20 * 1024 * 1024

MSG_PROMPT_NEEDED = "Give either prompt_id, or prompt (the text) together with initial_image."
MSG_DUPLICATE = "This video was already uploaded as video {id} (same sha256); nothing was stored."


class UploadRejected(StudioError):
    """The upload's form fields are inconsistent; nothing was stored."""

    status_code = 400
    code = "upload_rejected"


class VideoRejected(StudioError):
    """The uploaded file is not a usable video; `reason` is a stable code (media_io.REASON_CODES)."""

    status_code = 400
    code = "invalid_video"


class UploadTooLarge(StudioError):
    """The upload is over MEDIA_MAX_FILE_BYTES; it was not kept."""

    status_code = 413
    code = "upload_too_large"


class DuplicateVideo(StudioError):
    """The same bytes were uploaded before; `video` is the existing id."""

    status_code = 409
    code = "duplicate_video"


@dataclass
class UploadResult:
    video: Video
    prompt_created: bool
    pairs_created: int


@contextmanager
def _local_path(upload: UploadedFile) -> Iterator[Path]:
    """The upload's path on disk: the temporary file Django streamed it to, or a copy of a small one."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    fd, tmp = tempfile.mkstemp(prefix="upload-")  # no client suffix: formats are told by their bytes
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield Path(tmp)
    finally:
        os.unlink(tmp)


def _checked_video(path: Path):
    try:
        return media_file_check(path)
    except MediaRejected as exc:
        if exc.code == FILE_TOO_BIG:
            raise UploadTooLarge(exc.message, extra={"reason": exc.code}) from exc
        raise VideoRejected(exc.message, extra={"reason": exc.code}) from exc


def video_upload_create(
    *,
    file: UploadedFile,
    generator: str,
    seed: int | None = None,
    campaign: Campaign | None = None,
    prompt: Prompt | None = None,
    prompt_text: str = "",
    initial_image: UploadedFile | None = None,
    action_label: str = "",
) -> UploadResult:
    """Register one uploaded video (pending) and queue its processing; raise a StudioError otherwise."""
    if prompt is None and not (prompt_text.strip() and initial_image is not None):
        raise UploadRejected(MSG_PROMPT_NEEDED)
    if prompt is not None and (prompt_text.strip() or initial_image is not None):
        raise UploadRejected(MSG_PROMPT_NEEDED)
    if not generator.strip():
        raise UploadRejected("generator is required.")
    with _local_path(file) as video_path:
        probe = _checked_video(video_path)
        video_sha = sha256_file(video_path)
        existing = Video.objects.filter(sha256=video_sha).values_list("pk", flat=True).first()
        if existing is not None:
            raise DuplicateVideo(MSG_DUPLICATE.format(id=existing), extra={"video": existing})
        return _register(
            video_path=video_path, video_sha=video_sha, probe=probe, source_name=file.name or "",
            generator=generator.strip(), seed=seed, campaign=campaign, prompt=prompt,
            prompt_text=prompt_text.strip(), initial_image=initial_image, action_label=action_label.strip(),
        )


def _register(*, video_path: Path, video_sha: str, probe: VideoProbe, source_name: str, generator: str,
              seed: int | None, campaign: Campaign | None, prompt: Prompt | None, prompt_text: str,
              initial_image: UploadedFile | None, action_label: str) -> UploadResult:
    saved: list[str] = []
    try:
        with transaction.atomic():
            prompt_created = False
            if prompt is None:
                prompt, prompt_created = _prompt_from_upload(prompt_text, initial_image, action_label, saved)
            name = f"videos/{video_sha[:2]}/{video_sha}{stored_video_suffix(probe)}"
            if storage_put(video_path, name):
                saved.append(name)
            video = Video.objects.create(
                prompt=prompt, generator=generator, seed=seed, file=name, sha256=video_sha,
                fps=probe.fps, frame_count=probe.frame_count, width=probe.width, height=probe.height,
                duration_s=probe.duration_s, codec=probe.codec, container=probe.container, rotation=probe.rotation,
                size_bytes=probe.size_bytes, source_name=os.path.basename(source_name)[:255],
                status=VideoStatus.PENDING,
            )
            pairs = 0
            if campaign is not None:
                pairs = pairs_create_for_prompts(campaign=campaign, prompt_ids=[prompt.pk], statuses=PAIRABLE_STATUSES)
            if settings.MEDIA_PROCESS_ON_IMPORT:
                videos_enqueue_processing(video_ids=[video.pk])
    except IntegrityError as exc:  # the same bytes uploaded concurrently: the other request won
        storage_delete_quietly(saved)
        existing = Video.objects.filter(sha256=video_sha).values_list("pk", flat=True).first()
        raise DuplicateVideo(MSG_DUPLICATE.format(id=existing), extra={"video": existing}) from exc
    except BaseException:
        storage_delete_quietly(saved)
        raise
    return UploadResult(video=video, prompt_created=prompt_created, pairs_created=pairs)


def _prompt_from_upload(text: str, image: UploadedFile, action_label: str, saved: list[str]) -> tuple[Prompt, bool]:
    """The prompt with this text and image, created (image stored content-addressed) if new."""
    if image.size is not None and image.size > MAX_IMAGE_BYTES:
        raise UploadTooLarge(f"initial_image is larger than {MAX_IMAGE_BYTES // 2**20} MiB.")
    with _local_path(image) as image_path:
        try:
            suffix = image_file_check(image_path)  # from the bytes: the client's file name never counts
        except ValueError as exc:
            raise UploadRejected(f"initial_image {exc}.", extra={"field": "initial_image"}) from exc
        image_sha = sha256_file(image_path)
        prompt = Prompt.objects.filter(text=text, initial_image_sha256=image_sha).first()
        if prompt is not None:
            return prompt, False
        name = f"initial/{image_sha[:2]}/{image_sha}{suffix}"
        if storage_put(image_path, name):
            saved.append(name)
    return Prompt.objects.create(
        text=text, initial_image=name, initial_image_sha256=image_sha, action_label=action_label,
        split_key=Prompt.split_key_for(image_sha),
    ), True
