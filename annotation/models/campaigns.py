from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

import dimensions

# Members APPEARANCE and CONSISTENCY; values and labels come from dimensions.GROUPS.
DimensionGroup = models.TextChoices("DimensionGroup", [(g.key.upper(), (g.key, g.name)) for g in dimensions.GROUPS])


class Dimension(models.Model):
    """One of the six judged qualities (dimensions.py, docs/method.md); seeded by a data migration, editable in
    the admin."""

    key = models.SlugField(max_length=32, unique=True)
    group = models.CharField(max_length=16, choices=DimensionGroup.choices)
    name = models.CharField(max_length=64)
    definition = models.CharField(max_length=200, help_text="One line shown next to the answer row.")
    guideline = models.TextField(blank=True, help_text="Full guideline text with examples (guidelines drawer).")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.name


class CampaignProtocol(models.TextChoices):
    PAIRWISE = "pairwise", "Pairwise preference with strength"
    RATING = "rating", "1-5 rating per video"
    BOTH = "both", "Pairwise and ratings"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class SelectionPolicy(models.TextChoices):
    RANDOM = "random", "Random order"
    BREADTH_FIRST = "breadth_first", "Fewest judgments first"
    UNCERTAINTY = "uncertainty", "Closest pairs under the current Bradley-Terry fit first"


class PairingStrategy(models.TextChoices):
    ALL = "all", "Every pair of a prompt's videos"
    BUDGET = "budget", "A budget of pairs per prompt, generator match-ups balanced"


class Campaign(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    dimensions = models.ManyToManyField(Dimension, related_name="campaigns")
    protocol = models.CharField(max_length=16, choices=CampaignProtocol.choices, default=CampaignProtocol.PAIRWISE)
    overlap = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="How many different annotators judge each pair.",
    )
    lease_ttl_seconds = models.PositiveIntegerField(
        default=600, validators=[MinValueValidator(30), MaxValueValidator(24 * 3600)],
        help_text="A lease expires this long after the last heartbeat.",
    )
    gold_rate = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Share of gold (honeypot) pairs mixed into each annotator's stream.",
    )
    qualification_gold_count = models.PositiveSmallIntegerField(
        default=0, help_text="Gold pairs each annotator answers before any real pair (0 = no qualification).",
    )
    min_gold_accuracy = models.FloatField(
        default=0.6, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Pause an annotator whose gold direction accuracy falls below this (0 disables auto-pause).",
    )
    min_gold_answers = models.PositiveSmallIntegerField(
        default=5, help_text="Gold pairs an annotator must have answered before the accuracy rule applies.",
    )
    selection_policy = models.CharField(
        max_length=16, choices=SelectionPolicy.choices, default=SelectionPolicy.RANDOM,
        help_text="How the quality refresh orders fresh pairs (in-progress pairs are always finished first).",
    )
    adaptive_overlap = models.BooleanField(
        default=False,
        help_text="Let the quality refresh set each pair's votes: first `adaptive_min_votes`, up to `overlap` only "
                  "where the votes contradict each other (one annotator prefers A, another B, in some dimension).",
    )
    adaptive_min_votes = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="Votes every pair gets under adaptive overlap before agreement can close it (at least 2).",
    )
    pairing = models.CharField(
        max_length=16, choices=PairingStrategy.choices, default=PairingStrategy.ALL,
        help_text="Which pairs an import creates among each prompt's videos (annotation/pairing.py).",
    )
    pair_budget_per_prompt = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="With pairing 'budget': at most this many pairs per prompt and import.",
    )
    edit_window_minutes = models.PositiveIntegerField(
        default=60, validators=[MaxValueValidator(7 * 24 * 60)],
        help_text="Annotators may change a submitted answer for this long after submitting it (0 disables "
                  "editing). The gold check always scores the first answer.",
    )
    instructions = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(overlap__gte=1), name="campaign_overlap_positive"),
            models.CheckConstraint(
                condition=models.Q(gold_rate__gte=0.0) & models.Q(gold_rate__lte=1.0), name="campaign_gold_rate_unit"
            ),
            models.CheckConstraint(condition=models.Q(adaptive_min_votes__gte=2), name="campaign_adaptive_min_votes"),
            models.CheckConstraint(
                condition=models.Q(pairing="all") | models.Q(pair_budget_per_prompt__gte=1), name="campaign_pair_budget_set"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def wants_pairwise(self) -> bool:
        return self.protocol in (CampaignProtocol.PAIRWISE, CampaignProtocol.BOTH)

    @property
    def wants_ratings(self) -> bool:
        return self.protocol in (CampaignProtocol.RATING, CampaignProtocol.BOTH)
