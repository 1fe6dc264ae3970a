"""The campaign's selection policy writes Pair.priority; leasing follows it for fresh pairs but
still finishes pairs in progress first."""
import pytest

from annotation.models import Pair, SelectionPolicy
from annotation.services.leasing import assignment_lease_next
from annotation.services.quality import campaign_model_scores, pair_priorities_refresh
from annotation.tasks import refresh_quality
from tests.factories import CampaignFactory
from tests.quality_db.support import build_world, judge_pairs

pytestmark = pytest.mark.django_db


def _priorities(campaign) -> dict[int, int]:
    return dict(Pair.objects.filter(campaign=campaign).values_list("id", "priority"))


def test_uncertainty_puts_the_closest_pairs_first_and_leasing_follows(make_raters, alice):
    campaign = CampaignFactory(overlap=3, selection_policy=SelectionPolicy.UNCERTAINTY)
    world = build_world(campaign, n_prompts=3)
    judge_pairs(campaign, world, make_raters(2, noise=0.05), per_pair=2)  # every pair has 1 slot left
    assert pair_priorities_refresh(campaign=campaign) > 0
    priorities = _priorities(campaign)

    def gap(pair):  # how far apart the truth puts the two videos, summed over dimensions
        a, b = world.truth[pair.video_a_id], world.truth[pair.video_b_id]
        return sum(abs(a[k] - b[k]) for k in a)

    ranked = sorted(world.pairs, key=lambda p: -priorities[p.pk])
    top, bottom = ranked[:5], ranked[-5:]
    assert sum(map(gap, top)) < sum(map(gap, bottom))
    assert assignment_lease_next(campaign=campaign, annotator=alice).pair_id == ranked[0].pk


def test_breadth_first_prefers_pairs_with_fewer_judgments(make_raters, alice):
    campaign = CampaignFactory(overlap=3, selection_policy=SelectionPolicy.BREADTH_FIRST)
    world = build_world(campaign, n_prompts=1)
    judge_pairs(campaign, world, make_raters(1, noise=0.05), pairs=world.pairs[:4])
    pair_priorities_refresh(campaign=campaign)
    priorities = _priorities(campaign)
    assert {priorities[p.pk] for p in world.pairs[:4]} == {-1}
    assert {priorities[p.pk] for p in world.pairs[4:]} == {0}
    # in-progress pairs are still finished first: the claim orders by taken before priority
    assert assignment_lease_next(campaign=campaign, annotator=alice).pair_id in {p.pk for p in world.pairs[:4]}


def test_random_priorities_are_reproducible_and_leave_full_pairs_alone(make_raters):
    campaign = CampaignFactory(overlap=1, selection_policy=SelectionPolicy.RANDOM)
    world = build_world(campaign, n_prompts=1)
    judge_pairs(campaign, world, make_raters(1, noise=0.05), pairs=world.pairs[:3])
    pair_priorities_refresh(campaign=campaign, seed=3)
    first = _priorities(campaign)
    assert {first[p.pk] for p in world.pairs[:3]} == {0}  # full pairs are left alone
    assert len({first[p.pk] for p in world.pairs[3:]}) == 7
    assert pair_priorities_refresh(campaign=campaign, seed=3) == 0


def _promote_model_scores(campaign, scores: dict[int, dict[str, float]]):
    """A promoted reward model (training app) that scored these videos."""
    from training.exports.services import dataset_version_create
    from training.models import RewardModelScore, RewardModelVersion, TrainingRun

    dataset = dataset_version_create(campaigns=[campaign], enqueue=False, test_fraction=0.0)  # nothing judged yet
    run = TrainingRun.objects.create(kind="reward", dataset_version=dataset)
    model = RewardModelVersion.objects.create(run=run, dataset_version=dataset, dataset_sha256="0" * 64,
                                              checkpoint_uri="runs/1/step-1", metrics={}, promoted=True)
    RewardModelScore.objects.bulk_create(RewardModelScore(model_version=model, video_id=video_id, scores=s)
                                         for video_id, s in scores.items())


def test_before_any_vote_uncertainty_asks_about_the_pairs_the_reward_model_finds_hard(alice):
    campaign = CampaignFactory(overlap=3, selection_policy=SelectionPolicy.UNCERTAINTY)
    world = build_world(campaign, n_prompts=2)
    videos = sorted(world.truth)
    # The model separates every video of the campaign by 0.3 except one pair it scores alike.
    model = {v: {"motion": 0.3 * i, "appeal": 0.3 * i, "overall": 0.3 * i} for i, v in enumerate(videos)}
    hard = world.pairs[3]
    model[hard.video_b_id] = dict(model[hard.video_a_id])
    _promote_model_scores(campaign, model)

    refresh_quality.apply(args=[campaign.pk]).get()  # the task passes the model's scores (QUALITY_MODEL_SCORES)

    priorities = _priorities(campaign)
    assert max(priorities, key=priorities.get) == hard.pk
    assert assignment_lease_next(campaign=campaign, annotator=alice).pair_id == hard.pk


def test_scores_of_a_model_that_is_not_promoted_are_ignored():
    from training.models import RewardModelVersion

    campaign = CampaignFactory(overlap=3, selection_policy=SelectionPolicy.UNCERTAINTY)
    world = build_world(campaign, n_prompts=1)
    _promote_model_scores(campaign, {v: {"motion": 0.5} for v in world.truth})
    RewardModelVersion.objects.update(promoted=False)
    assert campaign_model_scores(campaign=campaign) == {}
    pair_priorities_refresh(campaign=campaign, model_scores=campaign_model_scores(campaign=campaign))
    assert len(set(_priorities(campaign).values())) == 1  # no votes, no model: every pair alike


def test_model_scores_are_read_only_for_uncertainty_and_only_from_the_configured_provider(settings):
    campaign = CampaignFactory(overlap=3, selection_policy=SelectionPolicy.UNCERTAINTY)
    world = build_world(campaign, n_prompts=1)
    _promote_model_scores(campaign, {v: {"motion": 0.25} for v in world.truth})
    assert campaign_model_scores(campaign=campaign) == {v: {"motion": 0.25} for v in world.truth}
    settings.QUALITY_MODEL_SCORES = ""
    assert campaign_model_scores(campaign=campaign) is None
    settings.QUALITY_MODEL_SCORES = "training.runs.selectors.campaign_model_scores"
    campaign.selection_policy = SelectionPolicy.RANDOM
    assert campaign_model_scores(campaign=campaign) is None
