"""Simulated annotators labelling a demo campaign through the real lease and submit services.

The demo data set ships its ground truth (demo); a SimulatedAnnotator per user turns
it into -2..+2 answers with a known noise. The judgments then travel the same path as a person's
(lease -> submit, overlap, idempotency), so everything downstream — agreement, exports, reward
training, retraining — runs on the demo exactly as on real data.

When the data set carries per-frame truth (`DemoRow.frame_truth`, demo data sets from issue #22 on;
None in older ones) the simulated annotator also marks artefact spans for the campaign's temporal
dimensions (`SimulatedAnnotator.mark_spans`: misses, early/late edges) and sends them with the
submission, on the rendition's frame grid as a person's label page would (docs/segments.md)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, User

from annotation.models import Campaign, Video
from annotation.services.leasing import assignment_lease_next
from annotation.services.submissions import Answer, SegmentAnswer, judgment_submit
from demo import FRAME_DIMENSIONS, SimulatedAnnotator, read_demo_dataset
from demo.annotator import span_severity_level
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


@dataclass(frozen=True)
class DemoVideoTruth:
    """What the demo knows about one imported video: per-dimension truth, per-frame truth on the
    clip's own frame grid (None for older data sets) and the frame count of its rendition."""

    truth: dict[str, float]
    frame_truth: dict[str, list[float]] | None
    rendition_frames: int | None


def _truth_by_video(campaign: Campaign, dataset_dir: Path) -> dict[int, DemoVideoTruth]:
    rows = {Path(r.video).name: r for r in read_demo_dataset(dataset_dir)}
    videos = Video.objects.filter(source_name__in=list(rows)).values_list("id", "source_name", "rendition_frame_count")
    return {vid: DemoVideoTruth(rows[name].truth, rows[name].frame_truth, frames)
            for vid, name, frames in videos if name in rows}


def spans_on_rendition(spans: list[tuple[int, int, int]], *, source_frames: int,
                       rendition_frames: int) -> list[tuple[int, int, int]]:
    """(start, end, severity) spans on the clip's grid of `source_frames` frames, moved to the
    rendition's grid of `rendition_frames` by time (both grids cover the same clip, so frame f
    spans [f, f + 1) / frames of it): a rendition frame is in the span when it starts before the
    span ends and ends after it starts, with the label page's 1e-3 tolerance. Spans that land on a
    shared frame after the move are merged (the label page would merge them too), keeping the
    higher severity. Identity when the grids agree. Pure."""
    if source_frames == rendition_frames:
        return list(spans)
    ratio = rendition_frames / source_frames
    moved = []
    for start, end, severity in sorted(spans):
        first = min(rendition_frames - 1, math.floor(start * ratio + 1e-3))
        last = min(rendition_frames - 1, max(first, math.ceil((end + 1) * ratio - 1e-3) - 1))
        if moved and first <= moved[-1][1]:
            previous = moved.pop()
            first, last, severity = previous[0], max(previous[1], last), max(previous[2], severity)
        moved.append((first, last, severity))
    return moved


def _simulated_spans(sim: SimulatedAnnotator, videos: list[tuple[int, DemoVideoTruth]],
                     temporal: list[str]) -> list[SegmentAnswer]:
    segments = []
    for video_id, video in videos:
        if video.frame_truth is None or not video.rendition_frames:
            continue  # an older data set, or a rendition not measured: the video takes no spans
        for key in temporal:
            curve = video.frame_truth[key]
            marked = [(a, b, span_severity_level(curve, (a, b))) for a, b in sim.mark_spans(curve)]
            segments += [SegmentAnswer(video_id, key, a, b, severity)
                         for a, b, severity in spans_on_rendition(marked, source_frames=len(curve),
                                                                  rendition_frames=video.rendition_frames)]
    return segments


def demo_simulate_judgments(*, campaign: Campaign, dataset_dir: Path, annotators: int = 3, noise: float = 0.1,
                            max_submissions: int | None = None, seed: int = 0, prefix: str = "sim",
                            spans: bool = True) -> int:
    """Each simulated user takes pairs until the campaign has none left for them (or the cap);
    returns the number of submissions stored. Pairs of videos without ground truth are skipped.
    With `spans` (and per-frame truth in the data set) each submission carries the simulated
    artefact spans of the campaign's temporal dimensions."""
    truth = _truth_by_video(campaign, Path(dataset_dir))
    keys = list(campaign.dimensions.order_by("order", "key").values_list("key", flat=True))
    temporal = [key for key in keys if key in FRAME_DIMENSIONS] if spans else []
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
            a, b = truth[pair.video_a_id], truth[pair.video_b_id]
            answers = sim.judge(a.truth, b.truth, keys)
            judgment_submit(assignment_id=lease.pk, annotator=user, client_key=f"sim-{lease.pk}",
                            video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                            answers=[Answer(dimension=k, strength=v) for k, v in answers.items()],
                            segments=_simulated_spans(sim, [(pair.video_a_id, a), (pair.video_b_id, b)], temporal),
                            time_spent_ms=4000)
            stored += 1
    return stored
