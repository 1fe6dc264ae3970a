"""The `db` mode of bench_selection.py: labelling through the platform's own services.

Each run is one campaign in a scratch database: pairs claimed by `assignment_lease_next` (the
real claim SQL: in-progress pairs first, then `Pair.priority`, then `random_key`), answered by a
simulated annotator and stored by `judgment_submit`; every --refit-every judgments the Celery
refresh's service `campaign_quality_refresh` runs (gold check, Bradley-Terry fits, VideoScore
rows, adaptive overlaps, priorities) and the accuracy is read from the VideoScore rows it wrote.
After each run the database invariant checker must come back empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np


@dataclass(frozen=True)
class Config:
    """One labelling setup: selection policy x adaptive overlap x a promoted reward model's scores."""

    policy: str
    adaptive: bool
    model_noise: float | None = None  # None: no reward model; else its scores are truth + N(0, noise)

    @property
    def name(self) -> str:
        model = f" + model (noise {self.model_noise:g})" if self.model_noise is not None else ""
        return f"{self.policy}{' + adaptive' if self.adaptive else ''}{model}"


@dataclass
class DbWorld:
    truth: dict[int, dict] = field(default_factory=dict)  # video id -> ground truth per dimension
    prompt_videos: list[list[int]] = field(default_factory=list)
    annotators: list = field(default_factory=list)  # Django users


def build_db_world(n_prompts: int, seed: int, n_annotators: int) -> DbWorld:
    """Prompts x the 5 simulated generators of `demo` for this seed (the same truth as
    the pure simulation's world), plus the annotator accounts (created once per database)."""
    from django.contrib.auth.models import User

    from annotation.models import Prompt, Video
    from demo import GENERATORS, demo_prompts, ground_truth, video_severities

    world = DbWorld()
    prompts = demo_prompts(n_prompts, seed=seed)
    db_prompts = Prompt.objects.bulk_create(
        Prompt(text=p.text, initial_image=f"initial/{seed}-{p.key}.png", initial_image_sha256=f"{seed:08x}{i:056x}",
               action_label=p.action, split_key=f"{seed:08x}{i:024x}") for i, p in enumerate(prompts))
    for i, (prompt, db_prompt) in enumerate(zip(prompts, db_prompts)):
        videos = Video.objects.bulk_create(
            Video(prompt=db_prompt, generator=g.name, seed=seed, file=f"videos/{seed}-{prompt.key}-{g.name}.mp4",
                  sha256=f"{seed:08x}{i:024x}{j:032x}", status="ready") for j, g in enumerate(GENERATORS))
        for video, generator in zip(videos, GENERATORS):
            world.truth[video.pk] = ground_truth(video_severities(prompt, generator, seed))
        world.prompt_videos.append([v.pk for v in videos])
    for i in range(n_annotators):
        world.annotators.append(User.objects.get_or_create(username=f"sel-annotator-{i}")[0])
    return world


def _campaign(world: DbWorld, config: Config, seed: int, overlap: int, min_votes: int):
    from annotation.models import Campaign, Dimension, Pair

    campaign = Campaign.objects.create(
        name=f"selection {seed} {config.name}", slug=f"sel-{seed}-{config.policy}-{int(config.adaptive)}-{config.model_noise}",
        overlap=overlap, selection_policy=config.policy, adaptive_overlap=config.adaptive,
        adaptive_min_votes=min_votes, lease_ttl_seconds=3600, min_gold_accuracy=0.0,
    )
    campaign.dimensions.set(Dimension.objects.all())
    rng = np.random.default_rng([seed, 11])  # the same fixed claim order for every config of a seed
    Pair.objects.bulk_create(
        Pair(campaign=campaign, video_a_id=a, video_b_id=b, overlap=overlap, random_key=float(rng.random()))
        for ids in world.prompt_videos for a, b in combinations(ids, 2))
    return campaign


def promote_simulated_model(world: DbWorld, campaign, noise: float, seed: int):
    """A promoted reward model whose per-video scores are the truth plus N(0, noise), clipped to
    [0, 1] (training.RewardModelScore: what a scoring run stores). Returns it, to delete after."""
    from training.exports.services import dataset_version_create
    from training.models import RewardModelScore, RewardModelVersion, TrainingRun

    rng = np.random.default_rng([seed, 29])
    dataset = dataset_version_create(campaigns=[campaign], enqueue=False)
    run = TrainingRun.objects.create(kind="reward", dataset_version=dataset)
    model = RewardModelVersion.objects.create(run=run, dataset_version=dataset, dataset_sha256="0" * 64,
                                              checkpoint_uri="simulated", metrics={}, promoted=True)
    RewardModelScore.objects.bulk_create(
        RewardModelScore(model_version=model, video_id=video_id,
                         scores={k: float(np.clip(v + rng.normal(0.0, noise), 0.0, 1.0)) for k, v in truth.items()})
        for video_id, truth in world.truth.items())
    return model, run, dataset


def stored_scores(campaign) -> dict[str, dict[int, float]]:
    """The Bradley-Terry scores the refresh stored (VideoScore), per dimension key."""
    from annotation.models import VideoScore
    from demo import DIMENSIONS

    scores: dict[str, dict[int, float]] = {key: {} for key in DIMENSIONS}
    for key, video_id, score in (VideoScore.objects.filter(campaign=campaign, bt_score__isnull=False)
                                 .values_list("dimension__key", "video_id", "bt_score")):
        scores.setdefault(key, {})[video_id] = score
    return scores


def run_db(world: DbWorld, config: Config, args, seed: int, ranking_tau) -> tuple[list[tuple[int, float]], dict]:
    """One campaign labelled until the last target is reached or no pair is left.
    Returns the (judgments so far, tau) curve and run statistics."""
    from annotation.models import Pair
    from annotation.selectors.invariants import annotation_invariant_violations
    from annotation.services.leasing import assignment_lease_next
    from annotation.services.quality import campaign_quality_refresh
    from annotation.services.submissions import Answer, judgment_submit
    from demo import DIMENSIONS, SimulatedAnnotator

    rng = np.random.default_rng([seed, 3])  # same annotators and noise for every config of a seed
    noises = rng.uniform(args.noise_min, args.noise_max, len(world.annotators))
    sims = [SimulatedAnnotator(noise=float(n), seed=seed * 1000 + i) for i, n in enumerate(noises)]
    campaign = _campaign(world, config, seed, args.overlap, args.min_votes)
    simulated = promote_simulated_model(world, campaign, config.model_noise, seed) \
        if config.model_noise is not None else ()
    goal, done, curve = max(args.targets), 0, []

    def refresh():
        campaign_quality_refresh(campaign=campaign, warm_cache=False)
        curve.append((done, ranking_tau(world.truth, world.prompt_videos, stored_scores(campaign), args.margin)))

    def lease():
        for i in rng.permutation(len(world.annotators)):
            assignment = assignment_lease_next(campaign=campaign, annotator=world.annotators[i])
            if assignment is not None:
                return int(i), assignment
        return None

    refresh()
    while curve[-1][1] < goal or args.full_curve:
        claimed = lease()
        if claimed is None:  # everything open is answered: only a refresh can reopen pairs
            refresh()
            claimed = lease()
            if claimed is None:
                break
        i, assignment = claimed
        pair = assignment.pair
        answers = sims[i].judge(world.truth[pair.video_a_id], world.truth[pair.video_b_id], DIMENSIONS)
        judgment_submit(assignment_id=assignment.pk, annotator=world.annotators[i], client_key=f"k{assignment.pk}",
                        video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                        answers=[Answer(key, strength) for key, strength in answers.items()])
        done += 1
        if done % args.refit_every == 0:
            refresh()
    if curve[-1][0] != done:
        refresh()
    for row in simulated:  # the next setup of this seed must not see this model
        row.delete()
    violations = annotation_invariant_violations(include_orphans=False)
    if violations:
        raise AssertionError(f"invariants broken after {config.name} seed {seed}: {violations}")
    votes = list(Pair.objects.filter(campaign=campaign, completed__gt=0).values_list("completed", flat=True))
    stats = {"pairs_started": len(votes), "votes_per_started_pair": float(np.mean(votes)) if votes else 0.0}
    return curve, stats
