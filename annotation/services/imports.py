"""All-or-nothing import of prompts and videos from a manifest of local files.

Every row is validated (paths inside IMPORT_ROOTS, readable image, a decodable video within the
media limits, no duplicate) before anything is written. Files are stored content-addressed (by
sha256) so a retried import cannot create a second copy, and files saved by a failed import are
removed. A video already in the studio (same sha256) is an error, or with `on_duplicate="skip"` is
not stored again but still paired into the target campaign with its prompt's other videos, so a
second campaign can reuse videos imported for the first. Videos are registered `pending` and
paired at once; `media.process_video` makes their renditions after the commit (see
annotation/services/media_pipeline.py for how pairs relate to readiness).
"""
from __future__ import annotations

import logging
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from annotation.manifests import (
    MSG_MISSING_FILE,
    ManifestRow,
    RowError,
    detect_format,
    errors_grouped,
    parse_manifest,
)
from annotation.models import Campaign, Prompt, Video, VideoStatus
from annotation.services.media_pipeline import (
    PAIRABLE_STATUSES,
    MediaRejected,
    media_file_check,
    media_limits,
    storage_put,
    stored_video_suffix,
)
from annotation.services.media_queue import videos_enqueue_processing
from annotation.services.pairs import pairs_create_for_prompts
from media_io import sha256_file
from studio_platform.errors import ImportRejected

logger = logging.getLogger(__name__)
MAX_IMAGE_PIXELS = 4096 * 4096
# Stored suffix by the format PIL detects; /media/ derives the Content-Type from it.
IMAGE_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
MSG_IMAGE_TOO_LARGE = "is {size} pixels; at most %d pixels (4096x4096) are accepted. Downscale it." % MAX_IMAGE_PIXELS
MSG_ALREADY_IMPORTED = "this video was already imported (same sha256)"
MSG_ROWS_REJECTED = "{count} problem(s) in the manifest; nothing was imported. Fix the rows listed in 'errors'."


@dataclass
class ImportReport:
    """What an import did, or with `dry_run` what it would do: nothing is written then, and the
    row problems are listed (`errors`, and `error_groups` with one entry per cause) instead of raised.
    `duplicates_skipped` counts rows whose video is already in the studio (not stored again);
    `duplicates_paired` how many of those were (pending or ready) and joined the campaign's pairing."""

    prompts_created: int = 0
    videos_created: int = 0
    duplicates_skipped: int = 0
    duplicates_paired: int = 0
    pairs_created: int = 0
    errors: list[dict] = field(default_factory=list)
    error_groups: list[dict] = field(default_factory=list)
    dry_run: bool = False
    rows: int = 0
    video_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _CheckedRow:
    row: ManifestRow
    video_sha: str
    image_sha: str
    image_suffix: str
    probe: object


def image_file_check(path: Path) -> str:
    """The suffix to store a prompt image under, from the format its bytes hold (never its name);
    ValueError unless `path` is a regular file holding a PNG, JPEG or WebP of at most
    MAX_IMAGE_PIXELS. The size comes from the header, checked before any pixel is decoded."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ValueError("is not a regular file")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is lower
            with Image.open(path, formats=list(IMAGE_SUFFIXES)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValueError(MSG_IMAGE_TOO_LARGE.format(size=f"{image.width}x{image.height}"))
                image.verify()
                return IMAGE_SUFFIXES[image.format]
    except Image.DecompressionBombError as exc:  # raised by Image.open itself past 2x PIL's own cap
        raise ValueError(MSG_IMAGE_TOO_LARGE.format(size="larger than PIL will open")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"is not a readable PNG, JPEG or WebP image ({exc.__class__.__name__})") from exc


def _check_rows(
    rows: list[ManifestRow], *, on_duplicate: str,
) -> tuple[list[_CheckedRow], list[RowError], list[str]]:
    """The rows to store, the row problems, and the sha256 of skipped videos already in the studio."""
    checked, errors, skipped = [], [], []
    seen: dict[str, int] = {}
    limits = media_limits()
    for row in rows:
        try:
            image_suffix = image_file_check(row.initial_image)
        except ValueError as exc:
            errors.append(RowError(row.line, "initial_image", str(exc)))
            continue
        try:
            probe = media_file_check(row.video, limits=limits)
        except MediaRejected as exc:
            errors.append(RowError(row.line, "video", str(exc)))  # "message [reason_code]"
            continue
        video_sha = sha256_file(row.video)
        if video_sha in seen:
            errors.append(RowError(row.line, "video", f"same file content as line {seen[video_sha]}"))
            continue
        seen[video_sha] = row.line
        checked.append(_CheckedRow(row, video_sha, sha256_file(row.initial_image), image_suffix, probe))
    existing = set(Video.objects.filter(sha256__in=[c.video_sha for c in checked]).values_list("sha256", flat=True))
    if existing:
        if on_duplicate == "skip":
            skipped = [c.video_sha for c in checked if c.video_sha in existing]
            checked = [c for c in checked if c.video_sha not in existing]
        else:
            for c in checked:
                if c.video_sha in existing:
                    errors.append(RowError(c.row.line, "video", MSG_ALREADY_IMPORTED))
    return checked, errors, skipped


def _store(path: Path, name: str, saved: list[str]) -> str:
    if storage_put(path, name):
        saved.append(name)
    return name


def _prompt_for(c: _CheckedRow, cache: dict, saved: list[str]) -> tuple[Prompt, bool]:
    row = c.row
    key = row.prompt_key or f"{row.prompt}\x00{c.image_sha}"
    if key in cache:
        return cache[key], False
    lookup = {"external_key": row.prompt_key} if row.prompt_key else {"text": row.prompt, "initial_image_sha256": c.image_sha}
    prompt = Prompt.objects.filter(**lookup).first()
    created = prompt is None
    if created:
        image_name = _store(row.initial_image, f"initial/{c.image_sha[:2]}/{c.image_sha}{c.image_suffix}", saved)
        prompt = Prompt.objects.create(
            text=row.prompt, initial_image=image_name, initial_image_sha256=c.image_sha,
            action_label=row.action_label, external_key=row.prompt_key,
            split_key=row.split_key or Prompt.split_key_for(c.image_sha),
        )
    cache[key] = prompt
    return prompt, created


def _duplicate_prompts(skipped: list[str], campaign: Campaign | None) -> list[int]:
    """The prompt of each skipped video that joins `campaign`'s pairing (one entry per video)."""
    if campaign is None or not skipped:
        return []
    videos = Video.objects.filter(sha256__in=skipped, status__in=PAIRABLE_STATUSES)
    return list(videos.values_list("prompt_id", flat=True))


def _dry_run_report(checked: list[_CheckedRow], errors: list[RowError], skipped: list[str], rows: int,
                    campaign: Campaign | None) -> ImportReport:
    """Counts the import would produce (prompts by their key, as `_prompt_for` finds them); pairs are
    left at 0 as they depend on the campaign's pairing and the videos already there."""
    keys, new_prompts = set(), 0
    for c in checked:
        key = c.row.prompt_key or f"{c.row.prompt}\x00{c.image_sha}"
        if key in keys:
            continue
        keys.add(key)
        lookup = ({"external_key": c.row.prompt_key} if c.row.prompt_key
                  else {"text": c.row.prompt, "initial_image_sha256": c.image_sha})
        new_prompts += not Prompt.objects.filter(**lookup).exists()
    return ImportReport(prompts_created=new_prompts, videos_created=len(checked), duplicates_skipped=len(skipped),
                        duplicates_paired=len(_duplicate_prompts(skipped, campaign)),
                        errors=[e.as_dict() for e in errors], error_groups=errors_grouped(errors), dry_run=True,
                        rows=rows)


def videos_import_manifest(
    *, text: str, manifest_name: str, base_dir: Path, campaign: Campaign | None = None, on_duplicate: str = "error",
    dry_run: bool = False, missing_file: str = MSG_MISSING_FILE,
) -> ImportReport:
    """Import every row or none. Raises ImportRejected with `extra={"errors": [...], "error_groups": [...]}`
    listing bad rows. With `dry_run`, checks every row the same way and writes nothing. `missing_file` is
    the message for a row naming a file that is not there (an upload says which files it lacks)."""
    if on_duplicate not in ("error", "skip"):
        raise ImportRejected("on_duplicate must be 'error' or 'skip'")
    try:
        fmt = detect_format(manifest_name)
    except ValueError as exc:
        raise ImportRejected(str(exc)) from exc
    parsed = parse_manifest(text, fmt=fmt, base_dir=base_dir, roots=settings.IMPORT_ROOTS,
                            max_rows=settings.IMPORT_MAX_ROWS, missing_file=missing_file)
    checked, errors, skipped = _check_rows(parsed.rows, on_duplicate=on_duplicate)
    errors = sorted(parsed.errors + errors, key=lambda e: (e.line, e.field))
    if dry_run:
        return _dry_run_report(checked, errors, skipped, rows=len(parsed.rows) + len({e.line for e in parsed.errors}),
                               campaign=campaign)
    if errors:
        raise ImportRejected(
            MSG_ROWS_REJECTED.format(count=len(errors)),
            extra={"errors": [e.as_dict() for e in errors], "error_groups": errors_grouped(errors)},
        )
    if not checked and not skipped:
        raise ImportRejected("the manifest has no rows")

    duplicate_prompts = _duplicate_prompts(skipped, campaign)
    report = ImportReport(duplicates_skipped=len(skipped), duplicates_paired=len(duplicate_prompts),
                          rows=len(parsed.rows))
    saved: list[str] = []
    try:
        with transaction.atomic():
            prompts: dict = {}
            touched: set[int] = set(duplicate_prompts)
            created_ids: list[int] = []
            for c in checked:
                prompt, created = _prompt_for(c, prompts, saved)
                report.prompts_created += int(created)
                touched.add(prompt.pk)
                name = _store(c.row.video, f"videos/{c.video_sha[:2]}/{c.video_sha}{stored_video_suffix(c.probe)}",
                              saved)
                p = c.probe
                video = Video.objects.create(
                    prompt=prompt, generator=c.row.generator, seed=c.row.seed, file=name, sha256=c.video_sha,
                    fps=p.fps, frame_count=p.frame_count, width=p.width, height=p.height, duration_s=p.duration_s,
                    codec=p.codec, container=p.container, rotation=p.rotation, size_bytes=p.size_bytes,
                    source_name=c.row.video.name[:255], status=VideoStatus.PENDING,
                )
                created_ids.append(video.pk)
                report.videos_created += 1
            report.video_ids = created_ids
            if campaign is not None:
                report.pairs_created = pairs_create_for_prompts(campaign=campaign, prompt_ids=touched,
                                                                statuses=PAIRABLE_STATUSES)
            if settings.MEDIA_PROCESS_ON_IMPORT:
                videos_enqueue_processing(video_ids=created_ids)
    except Exception:
        for name in saved:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not remove %s after a failed import", name)
        raise
    return report
