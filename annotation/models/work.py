"""Units of annotation work: pairs, leases (assignments) and what annotators answer.

Overlap is enforced by a counter on Pair (`taken`: live leases + submitted assignments) with a
CHECK constraint `taken <= overlap`; the leasing service moves the counter in the same
transaction as it creates or ends an assignment. `overlap` is copied from the campaign onto
each pair because a CHECK constraint cannot read another table.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Pair(models.Model):
    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="pairs")
    video_a = models.ForeignKey("annotation.Video", on_delete=models.PROTECT, related_name="+")
    video_b = models.ForeignKey("annotation.Video", on_delete=models.PROTECT, related_name="+")
    is_gold = models.BooleanField(default=False)
    priority = models.IntegerField(default=0, help_text="Higher is handed out first (after in-progress pairs).")
    random_key = models.FloatField(help_text="Fixed random order among equal-priority pairs.")
    overlap = models.PositiveSmallIntegerField()
    taken = models.PositiveSmallIntegerField(default=0, help_text="Live leases plus submitted assignments.")
    completed = models.PositiveSmallIntegerField(default=0, help_text="Submitted assignments.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("overlap")), name="pair_taken_within_overlap"),
            models.CheckConstraint(condition=Q(completed__lte=F("taken")), name="pair_completed_within_taken"),
            # One canonical order per unordered pair, so (a, b) and (b, a) cannot both exist.
            models.CheckConstraint(condition=Q(video_a__lt=F("video_b")), name="pair_videos_ordered"),
            models.UniqueConstraint(fields=["campaign", "video_a", "video_b"], name="pair_unique_per_campaign"),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "-taken", "-priority", "random_key"],
                condition=Q(taken__lt=F("overlap")),
                name="pair_open_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"pair {self.pk} ({self.video_a_id} vs {self.video_b_id})"


class GoldAnswer(models.Model):
    """Expected strength on a gold (honeypot) pair, for one dimension."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="gold_answers")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="+")
    strength = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pair", "dimension"], name="gold_answer_unique"),
            models.CheckConstraint(condition=Q(strength__gte=-2, strength__lte=2), name="gold_strength_range"),
        ]


class AssignmentState(models.TextChoices):
    LEASED = "leased", "Leased"
    SUBMITTED = "submitted", "Submitted"
    SKIPPED = "skipped", "Skipped"
    FLAGGED = "flagged", "Flagged"
    EXPIRED = "expired", "Expired"


# States that hold one of the pair's overlap slots.
SLOT_HOLDING_STATES = (AssignmentState.LEASED, AssignmentState.SUBMITTED)


class Assignment(models.Model):
    """A lease of one pair to one annotator, and later the record of what happened to it."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="assignments")
    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    a_on_left = models.BooleanField(help_text="Whether video A was shown on the left (randomised per lease).")
    state = models.CharField(max_length=16, choices=AssignmentState.choices, default=AssignmentState.LEASED)
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    client_key = models.CharField(max_length=64, blank=True, help_text="Idempotency key of the finishing request.")
    time_spent_ms = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Never hand one pair twice to the same person.
            models.UniqueConstraint(fields=["pair", "annotator"], name="assignment_once_per_annotator"),
            models.UniqueConstraint(
                fields=["annotator", "client_key"], condition=~Q(client_key=""), name="assignment_client_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["annotator", "campaign", "state"]),
            models.Index(fields=["expires_at"], condition=Q(state="leased"), name="assignment_live_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} ({self.state})"


class Judgment(models.Model):
    """Preference strength on one dimension: -2 A much better, -1 A better, 0 same, +1 B better, +2 B much better."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="judgments")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="judgments")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judgments")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="judgments")
    strength = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "annotator", "dimension"], name="judgment_once_per_dimension"),
            models.CheckConstraint(condition=Q(strength__gte=-2, strength__lte=2), name="judgment_strength_range"),
        ]


class Rating(models.Model):
    """A 1..5 score of one video on one dimension (the paper's protocol)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="ratings")
    video = models.ForeignKey("annotation.Video", on_delete=models.CASCADE, related_name="ratings")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="ratings")
    score = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "video", "dimension"], name="rating_once_per_assignment"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]


class Segment(models.Model):
    """A span of frames on one video of an assignment's pair where the annotator saw an artefact of
    one dimension (issue #22; docs/segments.md is the contract).

    Frames are 0-based and end-inclusive on the video's rendition grid (`rendition_frame_count`
    frames at `rendition_fps`). The CHECKs hold what one row can say; "the video is one of the
    assignment's pair", "end_frame < the rendition's frame count", "the dimension is the campaign's"
    and the overlap/count caps read other rows or tables, which a CHECK cannot, so the submit and
    edit services enforce them (annotation/services/segments.py) inside the transaction that writes
    the spans."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="segments", db_index=False)
    video = models.ForeignKey("annotation.Video", on_delete=models.CASCADE, related_name="segments", db_index=False)
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="segments")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="segments")
    start_frame = models.IntegerField()
    end_frame = models.IntegerField(help_text="Inclusive.")
    severity = models.SmallIntegerField(null=True, blank=True, help_text="1 mild, 2 clear, 3 severe; null: not said.")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "video_id", "start_frame", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start_frame__gte=0), name="segment_start_non_negative"),
            models.CheckConstraint(condition=Q(start_frame__lte=F("end_frame")), name="segment_start_before_end"),
            models.CheckConstraint(condition=Q(severity__isnull=True) | Q(severity__gte=1, severity__lte=3),
                                   name="segment_severity_range"),
        ]
        indexes = [
            # an assignment's spans (submit replay, edits, history) and a video's (reviewers, exports)
            models.Index(fields=["assignment", "video", "start_frame"], name="segment_assignment_idx"),
            models.Index(fields=["video", "dimension"], name="segment_video_idx"),
        ]

    def __str__(self) -> str:
        return f"segment {self.pk} (video {self.video_id} frames {self.start_frame}-{self.end_frame})"


class FlagReason(models.TextChoices):
    BROKEN_VIDEO = "broken_video", "Video does not play or is broken"
    INAPPROPRIATE = "inappropriate", "Inappropriate content"
    OTHER = "other", "Other"


class Flag(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="flags", null=True)
    video = models.ForeignKey("annotation.Video", on_delete=models.CASCADE, related_name="flags", null=True, blank=True)
    reason = models.CharField(max_length=32, choices=FlagReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
