"""Agreement read from the database: alpha tracks annotator noise, leave-one-out agreement
singles out a random clicker, ratings get alpha and ICC."""
import pytest

from annotation.models import CampaignProtocol
from annotation.selectors.quality import campaign_agreement, campaign_annotator_agreement
from annotation.selectors.quality_annotators import _overall_agreement
from tests.factories import CampaignFactory
from tests.quality_db.support import build_world, judge_pairs

pytestmark = pytest.mark.django_db

NOISES = (0.02, 0.1, 0.3)


def test_ordinal_alpha_falls_as_annotator_noise_rises(make_raters):
    videos, alphas, kappas = None, {}, {}
    for noise in NOISES:
        campaign = CampaignFactory(overlap=4)
        world = build_world(campaign, n_prompts=6, videos=videos)
        videos = world
        judge_pairs(campaign, world, make_raters(4, noise=noise))
        report = campaign_agreement(campaign=campaign)
        alphas[noise] = {d["dimension"]: d["alpha_ordinal"] for d in report["dimensions"]}
        kappas[noise] = {d["dimension"]: d["kappa_direction"]["mean"] for d in report["dimensions"]}
        assert all(d["n_votes"] == 60 * 4 and d["n_annotators"] == 4 for d in report["dimensions"])
    for dimension in alphas[0.02]:
        assert alphas[0.02][dimension] > alphas[0.1][dimension] > alphas[0.3][dimension], dimension
        assert kappas[0.02][dimension] > kappas[0.1][dimension] > kappas[0.3][dimension], dimension
    assert min(alphas[0.02].values()) > 0.85


def test_a_random_clicker_has_the_lowest_leave_one_out_agreement(make_raters):
    campaign = CampaignFactory(overlap=3)
    world = build_world(campaign, n_prompts=8)
    raters = make_raters(5, noise=0.05, bad=1, seed=9)
    judge_pairs(campaign, world, raters, per_pair=3)
    agreement = campaign_annotator_agreement(campaign=campaign)
    overall = {user.username: _overall_agreement(agreement[user.pk]) for user, _ in raters}
    bad = overall.pop(raters[-1][0].username)
    assert bad < 0.5
    assert min(overall.values()) > bad + 0.15


def test_ratings_get_interval_alpha_and_icc(make_raters):
    campaign = CampaignFactory(overlap=3, protocol=CampaignProtocol.BOTH)
    world = build_world(campaign, n_prompts=4)
    judge_pairs(campaign, world, make_raters(3, noise=0.05), ratings=True)
    report = campaign_agreement(campaign=campaign)
    for dimension in report["dimensions"]:
        ratings = dimension["ratings"]
        assert ratings["n"] > 0 and ratings["alpha_interval"] > 0.5
        assert ratings["icc"]["icc"] > 0.5 and ratings["icc"]["model"] in ("icc2_1", "icc1_1")
