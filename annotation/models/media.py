import hashlib
import secrets

from django.db import models


class Prompt(models.Model):
    """A (prompt text, initial image) condition; every video of a pair shares one prompt."""

    text = models.TextField()
    initial_image = models.FileField(upload_to="initial/", max_length=255)
    initial_image_sha256 = models.CharField(max_length=64, db_index=True)
    action_label = models.CharField(max_length=64, blank=True)
    split_key = models.CharField(
        max_length=64, db_index=True,
        help_text="Group key for train/test splits; defaults to the initial image's sha256 so no initial "
        "frame lands on both sides.",
    )
    external_key = models.CharField(max_length=128, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]

    @staticmethod
    def split_key_for(initial_image_sha256: str) -> str:
        return hashlib.sha256(f"initial:{initial_image_sha256}".encode()).hexdigest()[:32]


def new_media_token() -> str:
    """A random name stem for a video's browser files: it says nothing about the original's content."""
    return secrets.token_hex(16)


class VideoStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Video(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="videos")
    generator = models.CharField(max_length=120, help_text="Never shown to annotators.")
    seed = models.BigIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="videos/", max_length=255)
    fps = models.FloatField(null=True, blank=True)
    frame_count = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    codec = models.CharField(max_length=32, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    container = models.CharField(max_length=64, blank=True, help_text="FFmpeg demuxer name of the original.")
    rotation = models.PositiveSmallIntegerField(
        default=0, help_text="Degrees counter-clockwise the original is turned for display; renditions are upright."
    )
    source_name = models.CharField(max_length=255, blank=True, help_text="The uploaded file's name; never served.")
    status = models.CharField(max_length=16, choices=VideoStatus.choices, default=VideoStatus.PENDING, db_index=True)
    failure_code = models.CharField(
        max_length=32, blank=True, help_text="Stable reason code (media_io.REASON_CODES or the pipeline's)."
    )
    failure_reason = models.CharField(max_length=300, blank=True)
    # Browser-facing outputs of the media pipeline (annotation/services/media_pipeline.py), named after
    # media_token and the recipe, so a re-run writes the same names and no name reveals the original's
    # sha256 (annotators see these names; the original is for admins only).
    media_token = models.CharField(max_length=32, unique=True, default=new_media_token, editable=False,
                                   help_text="Random stem of the rendition, poster and strip names.")
    rendition = models.FileField(upload_to="renditions/", max_length=255, blank=True,
                                 help_text="H.264 MP4 (faststart, at most 720p) that every browser plays.")
    poster = models.FileField(upload_to="posters/", max_length=255, blank=True)
    thumbnail_strip = models.FileField(upload_to="strips/", max_length=255, blank=True)
    # What annotators are shown is the rendition, so its own facts go into the lease payload.
    rendition_width = models.PositiveIntegerField(null=True, blank=True)
    rendition_height = models.PositiveIntegerField(null=True, blank=True)
    rendition_fps = models.FloatField(null=True, blank=True)
    rendition_frame_count = models.PositiveIntegerField(null=True, blank=True)
    rendition_duration_s = models.FloatField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["prompt", "generator"])]

    def __str__(self) -> str:
        return f"video {self.pk} ({self.generator})"
