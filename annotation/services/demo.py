"""Seeding the demo: users of every role, a campaign, and generated clips imported through the
same manifest import that real data uses."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from annotation.models import Campaign, CampaignStatus, Dimension, Pair, Video, VideoStatus
from annotation.services.imports import ImportReport, videos_import_manifest
from annotation.services.media_pipeline import video_process
from studio_platform.roles import ADMIN, ANNOTATOR, REVIEWER

DEMO_USERS = [
    ("alice", ANNOTATOR), ("bob", ANNOTATOR), ("rita", REVIEWER), ("admin", ADMIN),
]
DEMO_CAMPAIGN_SLUG = "demo-anime-i2v"
# 16 prompts: enough for the closed loop on a fresh install (a reward test split of several prompts, and
# 8 held-out prompts for GAPO's score change); rendering takes about half a minute.
DEMO_PROMPTS = 16


@dataclass
class DemoSeedResult:
    campaign: Campaign
    import_report: ImportReport
    dataset_dir: Path


def demo_password(username: str) -> str:
    return f"{username}-demo-pass"


def demo_users_ensure() -> list[User]:
    users = []
    with transaction.atomic():
        for username, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(demo_password(username))
            if role == ADMIN:
                user.is_staff = True
                user.is_superuser = True
            user.save()
            user.groups.add(Group.objects.get(name=role))
            users.append(user)
    return users


def demo_campaign_ensure() -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        slug=DEMO_CAMPAIGN_SLUG,
        defaults={
            "name": "Demo: anime image-to-video arena",
            "overlap": 3,
            "lease_ttl_seconds": 600,
            "status": CampaignStatus.ACTIVE,
            "instructions": "Compare the two clips generated from the same prompt and initial image. "
                            "For each dimension, say which clip is better and by how much.",
        },
    )
    if created:
        campaign.dimensions.set(Dimension.objects.all())
    return campaign


def demo_seed(*, n_prompts: int = DEMO_PROMPTS, dataset_dir: Path | None = None) -> DemoSeedResult:
    """Idempotent: re-running imports nothing new, pairs nothing new into a demo campaign that has its pairs, and
    keeps existing users' passwords."""
    from demo import build_demo_dataset

    dataset_dir = dataset_dir or Path(settings.IMPORT_ROOTS[0]) / "demo"
    manifest = dataset_dir / "manifest.jsonl"
    if not manifest.exists():
        build_demo_dataset(dataset_dir, n_prompts=n_prompts)
    demo_users_ensure()
    campaign = demo_campaign_ensure()
    text = manifest.read_text()
    if Pair.objects.filter(campaign=campaign).exists():
        # Restart: the import is all-or-nothing, so pairs mean the manifest is in. Importing it again would
        # re-pair every prompt it names, and a prompt is shared across campaigns (matched by its key): clips a
        # user imported elsewhere under a demo prompt would join the demo campaign on every restart.
        rows = sum(1 for line in text.splitlines() if line.strip())
        report = ImportReport(duplicates_skipped=rows, rows=rows)
    else:
        report = videos_import_manifest(text=text, manifest_name=manifest.name, base_dir=dataset_dir,
                                        campaign=campaign, on_duplicate="skip")
    demo_videos_process(campaign=campaign)
    return DemoSeedResult(campaign=campaign, import_report=report, dataset_dir=dataset_dir)


def demo_videos_process(*, campaign: Campaign) -> int:
    """Make the campaign's pending videos ready here, not on the media queue: pairs are leased only
    once both videos have their renditions, and the demo's small clips take well under a second
    each, so the campaign can be labelled as soon as the seed command returns. Returns how many."""
    paired = set()
    for a, b in Pair.objects.filter(campaign=campaign).values_list("video_a_id", "video_b_id"):
        paired.update((a, b))
    pending = Video.objects.filter(pk__in=paired, status=VideoStatus.PENDING).order_by("id")
    return sum(video_process(video_id=pk) == "ready" for pk in pending.values_list("pk", flat=True))
