"""Export fixtures: a judged campaign built straight through the ORM (leasing is tested elsewhere)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Dimension, Judgment, Pair
from tests.factories import CampaignFactory, PromptFactory, UserFactory, VideoFactory
from tests.s3 import S3_KEYS, bucket_keys, moto_endpoint, s3_bucket  # noqa: F401  (shared S3 fixtures)

DIMENSIONS = ["smoothness", "motion"]


def judge(pair: Pair, annotator, strengths: dict[str, int], *, a_on_left: bool = True, spent_ms: int = 4000):
    """One submitted assignment of `annotator` on `pair` with one judgment per dimension."""
    now = timezone.now()
    assignment = Assignment.objects.create(
        pair=pair, campaign_id=pair.campaign_id, annotator=annotator, a_on_left=a_on_left,
        state=AssignmentState.SUBMITTED, leased_at=now, expires_at=now + timedelta(minutes=10), heartbeat_at=now,
        finished_at=now, time_spent_ms=spent_ms,
    )
    dims = {d.key: d for d in Dimension.objects.filter(key__in=strengths)}
    Judgment.objects.bulk_create(
        Judgment(assignment=assignment, pair=pair, annotator=annotator, dimension=dims[key], strength=value)
        for key, value in strengths.items()
    )
    Pair.objects.filter(pk=pair.pk).update(taken=F("taken") + 1, completed=F("completed") + 1)
    return assignment


def make_judged_campaign(*, n_images: int = 8, prompts_per_image: int = 2, annotators: int = 3, slug=None):
    """`n_images` initial images, each used by `prompts_per_image` prompts with DIFFERENT split
    keys (as a manifest may give them), one pair per prompt, every pair judged by every annotator.

    Strength of annotator k on pair i, dimension d: a fixed pattern in -2..2, so some pairs agree,
    some split, some tie."""
    campaign = CampaignFactory(overlap=annotators, dimensions=DIMENSIONS, **({"slug": slug} if slug else {}))
    people = [UserFactory(roles=["annotator"]) for _ in range(annotators)]
    pairs = []
    for image in range(n_images):
        image_sha = hashlib.sha256(f"image-{campaign.pk}-{image}".encode()).hexdigest()
        for copy in range(prompts_per_image):
            prompt = PromptFactory(initial_image=f"initial/{image_sha}.png", initial_image_sha256=image_sha,
                                   split_key=f"manifest-key-{campaign.pk}-{image}-{copy}",
                                   text=f"Scene {image}.{copy}: a girl turns, \"smiling\"\n(line two)")
            a, b = VideoFactory(prompt=prompt), VideoFactory(prompt=prompt)
            pairs.append(Pair.objects.create(campaign=campaign, video_a=a, video_b=b, overlap=annotators,
                                             random_key=0.5))
    for i, pair in enumerate(pairs):
        for k, person in enumerate(people):
            judge(pair, person, {d: ((i + k * (j + 1)) % 5) - 2 for j, d in enumerate(DIMENSIONS)},
                  a_on_left=(i + k) % 2 == 0, spent_ms=1000 * (k + 1))
    return campaign, pairs, people


@pytest.fixture
def judged_campaign(db):
    return make_judged_campaign()
