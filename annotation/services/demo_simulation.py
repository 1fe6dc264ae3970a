"""Simulated annotators labelling a demo campaign through the real lease and submit services.

The demo data set ships its ground truth (demo); a SimulatedAnnotator per user turns
it into -2..+2 answers with a known noise. The judgments then travel the same path as a person's
(lease -> submit, overlap, idempotency), so everything downstream — agreement, exports, reward
training, retraining — runs on the demo exactly as on real data."""
from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group, User

from annotation.models import Campaign, Video
from annotation.services.leasing import assignment_lease_next
from annotation.services.submissions import Answer, judgment_submit
from demo import SimulatedAnnotator, read_demo_dataset
from studio_platform.roles import ANNOTATOR


def simulated_users(count: int, *, prefix: str = "sim") -> list[User]:
    group = Group.objects.get(name=ANNOTATOR)
    users = []
    for i in range(1, count + 1):
        user, created = User.objects.get_or_create(username=f"{prefix}-{i}")
        if created:
            user.set_unusable_password()  # simulated people never sign in
            # marked wherever people are listed: these judgments come from demo's ground truth
            user.first_name, user.last_name = "Simulated", f"annotator {i}"
            user.save(update_fields=["password", "first_name", "last_name"])
        user.groups.add(group)
        users.append(user)
    return users


def _truth_by_video(campaign: Campaign, dataset_dir: Path) -> dict[int, dict[str, float]]:
    truth = {Path(r.video).name: r.truth for r in read_demo_dataset(dataset_dir)}
    videos = Video.objects.filter(source_name__in=list(truth)).values_list("id", "source_name")
    return {vid: truth[name] for vid, name in videos if name in truth}


def demo_simulate_judgments(*, campaign: Campaign, dataset_dir: Path, annotators: int = 3, noise: float = 0.1,
                            max_submissions: int | None = None, seed: int = 0, prefix: str = "sim") -> int:
    """Each simulated user takes pairs until the campaign has none left for them (or the cap);
    returns the number of submissions stored. Pairs of videos without ground truth are skipped."""
    truth = _truth_by_video(campaign, Path(dataset_dir))
    keys = list(campaign.dimensions.values_list("key", flat=True))
    stored = 0
    for index, user in enumerate(simulated_users(annotators, prefix=prefix)):
        sim = SimulatedAnnotator(noise=noise, seed=seed * 1000 + index)
        skipped: list[int] = []
        while max_submissions is None or stored < max_submissions:
            lease = assignment_lease_next(campaign=campaign, annotator=user, exclude_assignment_ids=skipped)
            if lease is None:
                break
            pair = lease.pair
            if pair.video_a_id not in truth or pair.video_b_id not in truth:
                skipped.append(lease.pk)
                continue
            answers = sim.judge(truth[pair.video_a_id], truth[pair.video_b_id], keys)
            judgment_submit(assignment_id=lease.pk, annotator=user, client_key=f"sim-{lease.pk}",
                            video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                            answers=[Answer(dimension=k, strength=v) for k, v in answers.items()],
                            time_spent_ms=4000)
            stored += 1
    return stored
