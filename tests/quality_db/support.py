"""A small demo world in the database: prompts x simulated generators, all pairs per prompt,
and judgments written straight from the simulated annotator (bulk, no HTTP: fast)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import combinations

from django.db.models import F
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Dimension, Judgment, Pair, Rating
from demo import DIMENSIONS, GENERATORS, SimulatedAnnotator, demo_prompts, ground_truth, video_severities
from tests.factories import PromptFactory, VideoFactory


@dataclass
class World:
    truth: dict[int, dict[str, float]] = field(default_factory=dict)  # video id -> ground truth
    generator: dict[int, str] = field(default_factory=dict)  # video id -> generator name
    pairs: list[Pair] = field(default_factory=list)


def build_world(campaign, *, n_prompts: int, seed: int = 0, videos: World | None = None) -> World:
    """All pairs of 5 generator videos per demo prompt. Pass `videos` to pair the same videos
    again in another campaign."""
    world = World()
    if videos is None:
        for prompt in demo_prompts(n_prompts, seed=seed):
            db_prompt = PromptFactory(text=prompt.text, action_label=prompt.action)
            for generator in GENERATORS:
                video = VideoFactory(prompt=db_prompt, generator=generator.name)
                world.truth[video.pk] = ground_truth(video_severities(prompt, generator, seed))
                world.generator[video.pk] = generator.name
    else:
        world.truth, world.generator = videos.truth, videos.generator
    by_prompt: dict[int, list[int]] = {}
    prompt_of = dict(VideoFactory._meta.model.objects.filter(pk__in=world.truth).values_list("id", "prompt_id"))
    for video_id in sorted(world.truth):
        by_prompt.setdefault(prompt_of[video_id], []).append(video_id)
    new_pairs = [
        Pair(campaign=campaign, video_a_id=a, video_b_id=b, overlap=campaign.overlap, random_key=(i * 0.618034) % 1.0)
        for i, (a, b) in enumerate(ab for ids in by_prompt.values() for ab in combinations(ids, 2))
    ]
    world.pairs = Pair.objects.bulk_create(new_pairs)
    return world


def judge_pairs(campaign, world: World, raters: list[tuple], pairs=None, *, per_pair: int | None = None,
                ratings: bool = False) -> None:
    """Submitted assignments + judgments for each pair from `per_pair` raters (all by default),
    rotating through `raters` [(user, SimulatedAnnotator)] so everyone overlaps with everyone."""
    pairs = world.pairs if pairs is None else pairs
    per_pair = len(raters) if per_pair is None else per_pair
    dims = dict(Dimension.objects.values_list("key", "id"))
    now = timezone.now()
    plan = []
    for i, pair in enumerate(pairs):
        for k in range(per_pair):
            plan.append((pair, raters[(i + k) % len(raters)]))
    assignments = Assignment.objects.bulk_create(
        Assignment(pair=pair, campaign=campaign, annotator=user, a_on_left=True, state=AssignmentState.SUBMITTED,
                   leased_at=now - timedelta(minutes=5), expires_at=now + timedelta(minutes=5), heartbeat_at=now,
                   finished_at=now, client_key=f"k{pair.pk}-{user.pk}")
        for pair, (user, _) in plan
    )
    judgments, rating_rows = [], []
    for assignment, (pair, (user, sim)) in zip(assignments, plan):
        truth_a, truth_b = world.truth[pair.video_a_id], world.truth[pair.video_b_id]
        for key, strength in sim.judge(truth_a, truth_b, DIMENSIONS).items():
            judgments.append(Judgment(assignment=assignment, pair=pair, annotator=user, dimension_id=dims[key],
                                      strength=strength))
        if ratings:
            for video_id, truth in ((pair.video_a_id, truth_a), (pair.video_b_id, truth_b)):
                for key, score in sim.rate(truth, DIMENSIONS).items():
                    rating_rows.append(Rating(assignment=assignment, video_id=video_id, annotator=user,
                                              dimension_id=dims[key], score=score))
    Judgment.objects.bulk_create(judgments)
    Rating.objects.bulk_create(rating_rows)
    counts: dict[int, int] = {}
    for pair, _ in plan:
        counts[pair.pk] = counts.get(pair.pk, 0) + 1
    for pair_id, n in counts.items():
        Pair.objects.filter(pk=pair_id).update(taken=F("taken") + n, completed=F("completed") + n)


def true_answers(world: World, pair) -> dict[str, int]:
    """What a noiseless annotator answers: the gold answer of a pair."""
    return SimulatedAnnotator(noise=0.0).judge(world.truth[pair.video_a_id], world.truth[pair.video_b_id], DIMENSIONS)


def submitted_vote(pair, user, strengths: dict[str, int], default: int = 0):
    """One submitted assignment of `user` on `pair` with a judgment on every dimension
    (`strengths` by key, `default` for the rest)."""
    now = timezone.now()
    assignment = Assignment.objects.create(
        pair=pair, campaign=pair.campaign, annotator=user, a_on_left=True, state=AssignmentState.SUBMITTED,
        leased_at=now, expires_at=now + timedelta(minutes=5), heartbeat_at=now, finished_at=now,
        client_key=f"{pair.pk}-{user.pk}")
    for key, dim_id in Dimension.objects.values_list("key", "id"):
        Judgment.objects.create(assignment=assignment, pair=pair, annotator=user, dimension_id=dim_id,
                                strength=strengths.get(key, default))
    return assignment
