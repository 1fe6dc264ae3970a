"""The media pipeline: what every video must meet before it is registered, and what a registered
video becomes before annotators and training use it.

    media_file_check(path)                 # import/upload: size, probe, limits -> VideoProbe or MediaRejected
    video_process(video_id=7)              # media.process_video: rendition, poster, strip, frame cache, ready
    videos_reprocess(video_ids=[7, 8])     # admin action: back to pending and queued again (media_queue.py)

States: `pending` (registered, not processed yet) -> `ready` (rendition, poster and strip stored and
recorded in one transaction) or `failed` (`failure_code` + `failure_reason`). A video is never
`ready` without all three files.

Idempotent and retry-safe:
- Output names derive from the video's random media_token and the recipe (PIPELINE_VERSION,
  rendition size), so a re-run writes the same names and no name annotators see carries the
  original's sha256; an output already stored whole is reused, not re-encoded.
  Filesystem writes go through a temp file and a rename, S3 objects appear only when complete, so a
  stored name is always a whole file.
- A `ready` video whose files are all present is left alone (re-running changes nothing).
- A run that fails deletes the outputs it wrote and leaves the row `pending` (unexpected errors: the
  task retries) or `failed` (the file itself is unusable); local temp files live in a temporary
  directory removed on every exit.
- Concurrent runs for one video (a redelivered task) serialise on a PostgreSQL advisory lock; the
  loser returns "busy" and does nothing.

Readiness and pairs (decision): pairs are created when videos are registered (import or upload into a
campaign), for pending and ready videos alike, so a campaign's pair set is fixed by the import and the
report counts stay exact. A pair is leased only once both its videos are ready, and the lease
payload shows the rendition and its own size and timing, never the original (annotators may fetch
renditions, posters and strips only; see annotation/api/media.py). A video that fails processing leaves the open work:
its pairs that nobody has leased yet are deleted (they hold no data; pairs with any assignment stay
for the record). When an admin re-processes a failed video and it becomes ready, its pairs are
re-created in every campaign that still pairs videos of its prompt.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from annotation.models import Campaign, Pair, Video, VideoStatus
from annotation.services.pairs import pairs_create_for_prompts
from media_io import (
    FrameCache,
    InvalidVideo,
    VideoProbe,
    make_poster,
    make_rendition,
    make_thumbnail_strip,
    probe_video,
    sha256_file,
)

logger = logging.getLogger(__name__)

# Bump when the rendition/poster/strip recipe changes: outputs get new names and are rebuilt.
# 2: names from media_token instead of the sha256; no source metadata in the rendition.
PIPELINE_VERSION = 2
STRIP_FRAMES, STRIP_HEIGHT = 8, 64
_LOCK_NAMESPACE = 7302  # pg advisory lock (namespace, video id); leasing uses 7301

# Reason codes the pipeline adds to media_io.REASON_CODES (stable: the UI maps them to help).
FILE_TOO_BIG = "file_too_big"
MISSING_ORIGINAL = "missing_original"
CHECKSUM_MISMATCH = "checksum_mismatch"
PROCESSING_ERROR = "processing_error"


class MediaRejected(Exception):
    """This file cannot become a usable video; `code` says why in one stable word."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"

    def __reduce__(self):
        return (type(self), (self.code, self.message))

    @classmethod
    def from_invalid(cls, exc: InvalidVideo) -> MediaRejected:
        return cls(exc.reason_code, exc.message)


@dataclass(frozen=True)
class MediaLimits:
    max_file_bytes: int
    max_duration_s: float
    max_frames: int
    max_width: int
    max_height: int


def media_limits() -> MediaLimits:
    """The limits every imported or uploaded video must meet (settings MEDIA_MAX_*)."""
    return MediaLimits(
        max_file_bytes=settings.MEDIA_MAX_FILE_BYTES, max_duration_s=settings.MEDIA_MAX_DURATION_S,
        max_frames=settings.MEDIA_MAX_FRAMES, max_width=settings.MEDIA_MAX_WIDTH, max_height=settings.MEDIA_MAX_HEIGHT,
    )


def file_size_check(size: int, *, limits: MediaLimits | None = None) -> None:
    limits = limits or media_limits()
    if size > limits.max_file_bytes:
        raise MediaRejected(
            FILE_TOO_BIG,
            f"The file is {size / 2**20:.1f} MiB; the limit is {limits.max_file_bytes / 2**20:.1f} MiB "
            "(MEDIA_MAX_FILE_BYTES). Compress or trim it.",
        )


def media_file_check(path: str | os.PathLike, *, limits: MediaLimits | None = None) -> VideoProbe:
    """Probe a local file and hold it to the limits; raise MediaRejected with a reason code."""
    limits = limits or media_limits()
    file_size_check(os.path.getsize(path), limits=limits)
    try:
        # The limits go into the probe: it checks them on the headers, before decoding a frame.
        return probe_video(path, max_duration_s=limits.max_duration_s, max_width=limits.max_width,
                           max_height=limits.max_height, max_frames=limits.max_frames)
    except InvalidVideo as exc:
        raise MediaRejected.from_invalid(exc) from exc


# Stored suffix of an original by the demuxer that opened it (media_io.inputs allows only
# these): neither the stored name nor the Content-Type /media/ derives from it come from the source.
_SUFFIX_BY_CONTAINER = {"mov,mp4,m4a,3gp,3g2,mj2": ".mp4", "matroska,webm": ".mkv", "avi": ".avi", "gif": ".gif"}
_WEBM_CODECS = {"vp8", "vp9", "av1", "libdav1d", "libvpx-vp9"}


def stored_video_suffix(probe: VideoProbe) -> str:
    suffix = _SUFFIX_BY_CONTAINER.get(probe.container, ".video")
    return ".webm" if suffix == ".mkv" and probe.codec in _WEBM_CODECS else suffix


# --- storage: exact names, whole files --------------------------------------------------------

def storage_put(local: str | os.PathLike, name: str, *, replace: bool = False) -> bool:
    """Store a local file under exactly `name` (content-addressed). Returns whether it wrote.

    Unless `replace`, an existing file of the same size is taken as this content already stored.
    """
    local = Path(local)
    if not replace and default_storage.exists(name) and default_storage.size(name) == local.stat().st_size:
        return False
    try:
        full_path = Path(default_storage.path(name))
    except NotImplementedError:  # object storage: an object is visible only once uploaded whole
        with local.open("rb") as handle:
            stored = default_storage.save(name, File(handle, name=os.path.basename(name)))
        if stored != name:
            default_storage.delete(stored)
            raise ImproperlyConfigured(f"storage renamed {name} to {stored}; enable file_overwrite")
        return True
    full_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=full_path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out, local.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, full_path)  # readers see no file or the whole file
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def storage_delete_quietly(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # cleanup must not hide the error that caused it
            logger.exception("could not delete %s", name)


def _local_original(name: str, workdir: Path, stem: str = "original") -> Path:
    if not name or not default_storage.exists(name):
        raise MediaRejected(MISSING_ORIGINAL, f"The original file {name!r} is not in storage; upload it again.")
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        local = workdir / f"{stem}{Path(name).suffix}"
        with default_storage.open(name, "rb") as src, local.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        return local


def rendition_max_side(width: int, height: int) -> int:
    """The long-side cap that fits (width, height) into MEDIA_RENDITION_SHORT_SIDE x _LONG_SIDE
    (720p by default) in either orientation; make_rendition never upscales."""
    long_side, short_side = max(width, height), max(1, min(width, height))
    return max(2, min(long_side, settings.MEDIA_RENDITION_LONG_SIDE,
                      settings.MEDIA_RENDITION_SHORT_SIDE * long_side // short_side))


def output_names(media_token: str) -> dict[str, str]:
    """Storage names of a video's browser files; `media_token` is Video.media_token (random)."""
    stem = f"{media_token[:2]}/{media_token}-v{PIPELINE_VERSION}"
    return {
        "rendition": f"renditions/{stem}-{settings.MEDIA_RENDITION_SHORT_SIDE}p.mp4",
        "poster": f"posters/{stem}.jpg",
        "thumbnail_strip": f"strips/{stem}-{STRIP_FRAMES}x{STRIP_HEIGHT}.jpg",
    }


def frame_cache() -> FrameCache:
    return FrameCache(settings.FRAME_CACHE_ROOT)


# --- processing ----------------------------------------------------------------------------------

@contextmanager
def _video_lock(video_id: int) -> Iterator[bool]:
    """Session-level advisory lock: held across the run's transactions, released if the worker dies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, video_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, video_id])


def _outputs_complete(video: Video) -> bool:
    """All outputs of the current recipe are recorded and stored (older names are rebuilt)."""
    expected = output_names(video.media_token)
    names = [video.rendition.name, video.poster.name, video.thumbnail_strip.name]
    return (names == [expected[f] for f in ("rendition", "poster", "thumbnail_strip")]
            and video.rendition_width is not None and all(default_storage.exists(n) for n in names))


def video_process(*, video_id: int, sha256: str | None = None, force: bool = False) -> str:
    """Make the rendition, poster, strip and frame-cache entry of one video and mark it ready.

    Returns "ready", "already_ready", "failed" (the file is unusable; the row says why), "busy"
    (another run holds the video) or "gone" (no such video, or its content changed since queued).
    Unexpected errors (storage, database) propagate with the row still pending; the task retries.
    `force` re-encodes outputs that already exist.
    """
    with _video_lock(video_id) as acquired:
        if not acquired:
            return "busy"
        video = Video.objects.filter(pk=video_id).first()
        if video is None or (sha256 and video.sha256 != sha256):
            return "gone"
        if video.status == VideoStatus.READY and not force and _outputs_complete(video):
            return "already_ready"
        written: list[str] = []
        try:
            with tempfile.TemporaryDirectory(prefix="media-") as work:
                probe, stored, shown = _make_outputs(video, Path(work), written, force=force)
            _register_ready(video_id, probe, stored, shown)
        except MediaRejected as exc:
            storage_delete_quietly(written)
            video_mark_failed(video_id=video_id, code=exc.code, message=exc.message)
            return "failed"
        except BaseException:
            storage_delete_quietly(written)
            raise
    return "ready"


def _make_outputs(video: Video, work: Path, written: list[str], *,
                  force: bool) -> tuple[VideoProbe, dict[str, str], VideoProbe]:
    """Make (or reuse) the browser files; returns the original's probe, the stored names and the
    rendition's own probe (what annotators are shown)."""
    src = _local_original(video.file.name, work)
    if sha256_file(src) != video.sha256:
        raise MediaRejected(CHECKSUM_MISMATCH, "The stored original no longer matches its sha256; upload it again.")
    probe = media_file_check(src)
    names = output_names(video.media_token)
    max_side = rendition_max_side(probe.width, probe.height)  # the poster matches the rendition's size
    makers = {
        "rendition": (".mp4", lambda dst: make_rendition(src, dst, max_side=max_side)),
        "poster": (".jpg", lambda dst: make_poster(src, dst, max_side=max_side)),
        "thumbnail_strip": (".jpg", lambda dst: make_thumbnail_strip(src, dst, n=STRIP_FRAMES, height=STRIP_HEIGHT)),
    }
    rendition = None
    for field, (suffix, make) in makers.items():
        name = names[field]
        if not force and default_storage.exists(name):
            continue  # whole files only (see storage_put): a previous run's output, same recipe and source
        local = work / f"{field}{suffix}"
        try:
            make(local)
        except InvalidVideo as exc:
            raise MediaRejected.from_invalid(exc) from exc
        written.append(name)  # before the write: a crash inside it must still clean the name up
        storage_put(local, name, replace=True)
        if field == "rendition":
            rendition = local
    try:  # our own encoder's output, probed like any file: its size and timing are what the payload shows
        shown = probe_video(rendition or _local_original(names["rendition"], work, stem="rendition"))
    except InvalidVideo as exc:
        raise MediaRejected.from_invalid(exc) from exc
    frame_cache().get_or_sample(src, sha256=video.sha256, num_frames=settings.FRAME_CACHE_FRAMES,
                                size=settings.FRAME_CACHE_SHORT_SIDE)
    return probe, names, shown


def _register_ready(video_id: int, probe: VideoProbe, stored: dict[str, str], shown: VideoProbe) -> None:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        had_failed = bool(video.failure_code)  # kept through "re-process" until a run succeeds
        replaced = [getattr(video, f).name for f in stored if getattr(video, f).name not in ("", stored[f])]
        for field, name in stored.items():
            setattr(video, field, name)
        video.status, video.failure_code, video.failure_reason = VideoStatus.READY, "", ""
        video.processed_at = timezone.now()
        video.container, video.codec, video.rotation = probe.container, probe.codec, probe.rotation
        video.fps, video.frame_count, video.duration_s = probe.fps, probe.frame_count, probe.duration_s
        video.width, video.height, video.size_bytes = probe.width, probe.height, probe.size_bytes
        video.rendition_width, video.rendition_height = shown.display_width, shown.display_height
        video.rendition_fps, video.rendition_frame_count = shown.fps, shown.frame_count
        video.rendition_duration_s = shown.duration_s
        video.save()
        if had_failed:
            _pairs_restore(video)
        if replaced:  # outputs of an older recipe, no longer referenced once this commits
            transaction.on_commit(lambda: storage_delete_quietly(replaced))


def video_mark_failed(*, video_id: int, code: str, message: str) -> None:
    """Record why a video cannot be used and take its never-leased pairs out of the campaigns."""
    with transaction.atomic():
        updated = Video.objects.filter(pk=video_id).update(
            status=VideoStatus.FAILED, failure_code=code[:32], failure_reason=message[:300])
        removed = _pairs_remove_unstarted(video_id) if updated else 0
    logger.warning("video %s failed (%s): %s; %s unstarted pair(s) removed", video_id, code, message, removed)


def _pairs_remove_unstarted(video_id: int) -> int:
    """Delete the video's pairs that nothing refers to. One statement re-checks `taken = 0` on the
    row it deletes, so a lease claimed concurrently wins and its pair stays."""
    table = Pair._meta.db_table
    unused = " ".join(
        f"AND NOT EXISTS (SELECT 1 FROM {rel.related_model._meta.db_table} r WHERE r.{rel.field.column} = p.id)"
        for rel in Pair._meta.related_objects
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} p WHERE (p.video_a_id = %s OR p.video_b_id = %s) AND p.taken = 0 "
            f"AND NOT p.is_gold {unused}",
            [video_id, video_id],
        )
        return cursor.rowcount


def _pairs_restore(video: Video) -> None:
    prompt_pairs = Pair.objects.filter(Q(video_a__prompt_id=video.prompt_id) | Q(video_b__prompt_id=video.prompt_id))
    for campaign in Campaign.objects.filter(pk__in=prompt_pairs.values("campaign_id")).order_by("id"):
        pairs_create_for_prompts(campaign=campaign, prompt_ids=[video.prompt_id], statuses=PAIRABLE_STATUSES)


# Videos that may be paired when registered; leasing offers a pair only once both of its videos are ready.
PAIRABLE_STATUSES = (VideoStatus.PENDING, VideoStatus.READY)
