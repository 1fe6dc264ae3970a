"""Label-quality records: who may keep annotating, reviewers' adjudications, and the per-video
human scores (Bradley-Terry and mean ratings) that exports and GAPO read."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class AnnotatorState(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused (gets no more pairs)"
    OVERRIDE = "override", "Active, exempt from the automatic gold check"


class AnnotatorStatus(models.Model):
    """One annotator's standing in one campaign. No row means active.

    The gold check pauses automatically (`changed_by` empty); a reviewer pauses, resumes or
    overrides. After a reviewer's change the automatic check only weighs gold answers given
    after `changed_at`, so a resume is not undone at once by the same old evidence.
    """

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="annotator_statuses")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_statuses")
    state = models.CharField(max_length=16, choices=AnnotatorState.choices, default=AnnotatorState.ACTIVE)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The reviewer who set this state; empty when the gold check set it.",
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["campaign", "annotator"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "annotator"], name="annotator_status_unique"),
        ]
        verbose_name_plural = "annotator statuses"

    def __str__(self) -> str:
        return f"{self.annotator_id} in campaign {self.campaign_id}: {self.state}"


class Adjudication(models.Model):
    """A reviewer's final answer on one pair and dimension; it replaces the crowd's strengths in
    consensus and scores (the latest adjudication per pair and dimension wins)."""

    pair = models.ForeignKey("annotation.Pair", on_delete=models.CASCADE, related_name="adjudications")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="+")
    strength = models.SmallIntegerField(help_text="-2 A much better .. +2 B much better, like a judgment.")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="adjudications")
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "dimension"], name="adjudication_unique"),
            models.CheckConstraint(condition=Q(strength__gte=-2, strength__lte=2), name="adjudication_strength_range"),
        ]


class VideoScore(models.Model):
    """Human score of one video on one dimension within one campaign.

    `bt_score` is the latent Bradley-Terry-with-ties score (Davidson, strength-weighted votes);
    `bt_scaled` is that score min-max scaled to [0, 1] over the campaign's fit, the `s` of
    GAPO's gap weight. Scores only compare videos of one campaign, and strictly only videos of
    one prompt (pairs never cross prompts). `mean_rating` is the mean 1..5 rating, if any.
    """

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="video_scores")
    video = models.ForeignKey("annotation.Video", on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="+")
    bt_score = models.FloatField(null=True, blank=True)
    bt_scaled = models.FloatField(null=True, blank=True)
    mean_rating = models.FloatField(null=True, blank=True)
    n = models.PositiveIntegerField(default=0, help_text="Pairwise votes involving this video on this dimension.")
    n_ratings = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["campaign", "video", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "video", "dimension"], name="video_score_unique"),
        ]
        indexes = [models.Index(fields=["video", "dimension"])]


class AgreementSnapshot(models.Model):
    """Agreement on one dimension of one campaign at one moment, so reviewers can see it move.

    Written by the hourly `annotation.tasks.snapshot_agreement` (append only, never updated).
    A run writes one row per dimension with the same `computed_at` and `data_version`, and skips
    a campaign whose data has not changed since its last snapshot. `queue_size` is the campaign's
    review queue (disputed pairs, any dimension) at that moment, repeated on every row of the run;
    `n_disputed` counts the pairs disputed on this dimension alone.
    """

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="agreement_snapshots")
    dimension = models.ForeignKey("annotation.Dimension", on_delete=models.PROTECT, related_name="+")
    alpha = models.FloatField(null=True, blank=True,
                              help_text="Krippendorff's ordinal alpha of the strengths; empty while undefined.")
    kappa = models.FloatField(null=True, blank=True,
                              help_text="Mean pairwise Cohen's kappa on the direction; empty while undefined.")
    n_judgments = models.PositiveIntegerField(help_text="Non-gold judgments on this dimension.")
    n_disputed = models.PositiveIntegerField(default=0, help_text="Pairs in the review queue for this dimension.")
    queue_size = models.PositiveIntegerField(default=0, help_text="Pairs in the campaign's review queue.")
    data_version = models.CharField(max_length=32, help_text="The quality-cache version the numbers were computed on.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["campaign", "computed_at", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "dimension", "computed_at"], name="agreement_snapshot_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "computed_at"])]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} dimension {self.dimension_id} at {self.computed_at:%Y-%m-%d %H:%M}"
