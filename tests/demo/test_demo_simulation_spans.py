"""Simulated annotators mark artefact spans with their submissions (annotation/services/demo_simulation.py):
on the rendition's frame grid (mapped by time when it differs from the clip's), for the campaign's
temporal dimensions only, through the real submit service; none for a data set without per-frame truth."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotation.models import Judgment, Pair, Segment
from annotation.services.demo_simulation import demo_simulate_judgments, spans_on_rendition
from demo import FRAME_DIMENSIONS, build_demo_dataset, read_demo_dataset
from demo.dataset import TRUTH_NAME
from tests.factories import CampaignFactory, PromptFactory, VideoFactory

CLIP_FRAMES = 24


@pytest.mark.parametrize("spans,source,rendition,expected", [
    ([(3, 7, 2)], 24, 24, [(3, 7, 2)]),                         # same grid: unchanged
    ([(10, 13, 1)], 48, 24, [(5, 6, 1)]),                       # frames 10-13 of 48 = 5-6 of 24
    ([(5, 6, 3)], 24, 48, [(10, 13, 3)]),                       # and back
    ([(0, 0, 1)], 48, 24, [(0, 0, 1)]),                         # half a rendition frame still marks it
    ([(47, 47, 1)], 48, 24, [(23, 23, 1)]),                     # the last frame stays on the grid
    ([(2, 3, 1), (5, 6, 3)], 48, 16, [(0, 2, 3)]),              # spans that meet after the move merge
    ([(0, 4, 1), (20, 23, 2)], 24, 12, [(0, 2, 1), (10, 11, 2)]),
])
def test_spans_move_to_the_rendition_grid_by_time(spans, source, rendition, expected):
    assert spans_on_rendition(spans, source_frames=source, rendition_frames=rendition) == expected


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim_spans_demo")
    build_demo_dataset(out, n_prompts=3, width=64, height=36, num_frames=CLIP_FRAMES)
    return out


def _campaign(demo_dir: Path, *, rendition_frames: int, dimensions=None):
    """The demo's videos as ready videos (no media pipeline: the rendition's frame count is set),
    one pair per prompt of its first two generators' clips."""
    campaign = CampaignFactory(overlap=2, **({"dimensions": dimensions} if dimensions else {}))
    by_prompt: dict[str, list] = {}
    for row in read_demo_dataset(demo_dir):
        by_prompt.setdefault(row.prompt_key, []).append(row)
    for rows in by_prompt.values():
        prompt = PromptFactory()
        a, b = sorted((VideoFactory(prompt=prompt, source_name=Path(r.video).name, rendition_frame_count=rendition_frames,
                                    rendition_fps=rendition_frames / 2.0) for r in rows[:2]), key=lambda v: v.pk)
        Pair.objects.create(campaign=campaign, video_a=a, video_b=b, overlap=2, random_key=0.5)
    return campaign


@pytest.mark.django_db
@pytest.mark.parametrize("rendition_frames", [CLIP_FRAMES, 2 * CLIP_FRAMES])
def test_simulated_submissions_carry_spans_on_the_renditions_grid(demo_dir, rendition_frames):
    campaign = _campaign(demo_dir, rendition_frames=rendition_frames)
    stored = demo_simulate_judgments(campaign=campaign, dataset_dir=demo_dir, annotators=2, noise=0.05, seed=3)

    assert stored == 6 and Judgment.objects.count() == 6 * 6
    spans = list(Segment.objects.select_related("dimension"))
    assert spans, "the demo's generators inject temporal artefacts, so some are marked"
    assert {s.dimension.key for s in spans} <= set(FRAME_DIMENSIONS)
    assert all(0 <= s.start_frame <= s.end_frame < rendition_frames for s in spans)
    assert all(s.severity in (1, 2, 3) for s in spans)


@pytest.mark.django_db
def test_spans_follow_the_campaigns_temporal_dimensions_and_can_be_turned_off(demo_dir):
    campaign = _campaign(demo_dir, rendition_frames=CLIP_FRAMES, dimensions=["smoothness", "appeal"])
    demo_simulate_judgments(campaign=campaign, dataset_dir=demo_dir, annotators=2, noise=0.05, seed=3)
    assert set(Segment.objects.values_list("dimension__key", flat=True)) <= {"smoothness"}

    quiet = _campaign(demo_dir, rendition_frames=CLIP_FRAMES)
    before = Segment.objects.count()
    assert demo_simulate_judgments(campaign=quiet, dataset_dir=demo_dir, annotators=1, spans=False,
                                   prefix="quiet") == 3
    assert Segment.objects.count() == before


@pytest.mark.django_db
def test_a_data_set_without_frame_truth_gives_judgments_without_spans(demo_dir, tmp_path):
    old = tmp_path / "old-demo"
    old.mkdir()
    for path in demo_dir.iterdir():
        if path.is_file():
            (old / path.name).write_bytes(path.read_bytes())
    records = [json.loads(line) for line in (demo_dir / TRUTH_NAME).read_text().splitlines() if line.strip()]
    (old / TRUTH_NAME).write_text("".join(json.dumps({k: v for k, v in r.items() if k != "frames"}) + "\n"
                                          for r in records))
    campaign = _campaign(old, rendition_frames=CLIP_FRAMES)

    assert demo_simulate_judgments(campaign=campaign, dataset_dir=old, annotators=1) == 3
    assert Segment.objects.count() == 0
