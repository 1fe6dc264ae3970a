"""Score curves (issue #22): a scoring run with a model that has per-frame heads stores each video's
curve beside its scores, the run page and the pair page read them through the API, and a model without
per-frame heads stores null. The pure parts (rounding, the deepest dip) are checked by hand first."""
from __future__ import annotations

import math

import pytest

from tests.factories import CampaignFactory, VideoFactory
from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL
from training.runs.curves import curve_dip, curve_examples, curve_stored

# Trains the per-frame heads (and the segment loss on the demo's simulated spans) in a few seconds.
FRAME_REWARD = {**TINY_REWARD, "steps": 8, "dimensions": ["smoothness", "motion", "appeal"],
                "frame_dimensions": ["smoothness", "motion"], "segment_loss_weight": 0.5}


def curve(**dims) -> dict:
    n = len(next(iter(dims.values())))
    return {"positions": [k / (n - 1) for k in range(n)], "curves": dims}


# --- pure parts ------------------------------------------------------------------------------------

def test_a_stored_curve_is_rounded_and_non_finite_points_become_null():
    stored = curve_stored({"positions": [0.0, 1 / 3, 1.0], "curves": {"motion": [0.123456, math.nan, 1]}})
    assert stored == {"positions": [0.0, 0.3333, 1.0], "curves": {"motion": [0.1235, None, 1.0]}}


def test_the_deepest_dip_is_measured_below_the_dimensions_own_mean():
    # smoothness: mean 0.5, lowest 0.2 (depth 0.3); motion is lower everywhere but flat (depth 0)
    dip = curve_dip(curve(motion=[0.1, 0.1, 0.1, 0.1], smoothness=[0.6, 0.6, 0.2, 0.6]))
    assert dip == {"dimension": "smoothness", "position": pytest.approx(2 / 3), "score": 0.2, "depth": 0.3}
    assert curve_dip(None) is None and curve_dip(curve(motion=[None, None])) is None


def test_examples_are_the_videos_with_the_deepest_dips_then_by_id():
    curves = {5: curve(motion=[0.5, 0.5, 0.5]), 3: curve(motion=[0.9, 0.3, 0.9]), 9: curve(motion=[0.9, 0.2, 0.9]),
              4: curve(motion=[0.9, 0.3, 0.9]), 7: None}
    assert curve_examples(curves, k=3) == [9, 3, 4]


# --- the scoring run -------------------------------------------------------------------------------

@TRANSACTIONAL
def test_a_scoring_run_with_per_frame_heads_stores_curves_and_the_pages_read_them(demo_dataset, client_for, rita):
    from training.models import RewardModelScore, RunState
    from training.runs.execution import run_execute
    from training.runs.services import run_create

    reward = run_execute(run_create(kind="reward", config=FRAME_REWARD, dataset_version=demo_dataset,
                                    enqueue=False).pk)
    assert reward.state == RunState.SUCCEEDED, reward.error
    version = reward.reward_model_version
    from training.models import RunMetric

    logged = set().union(*(set(m.values) for m in RunMetric.objects.filter(run=reward)))
    assert {"smoothness/segment_loss", "motion/segment_loss"} & logged, "the demo's simulated spans reached training"
    scoring = run_execute(run_create(kind="scoring", reward_model=version, enqueue=False).pk)
    assert scoring.state == RunState.SUCCEEDED, scoring.error
    assert "score curves: smoothness, motion" in scoring.log_tail

    rows = list(RewardModelScore.objects.filter(model_version=version))
    assert len(rows) == 30
    for row in rows:
        assert set(row.curves["curves"]) == {"smoothness", "motion"}
        n = len(row.curves["positions"])
        assert n >= 2 and row.curves["positions"][0] == 0.0 and row.curves["positions"][-1] == 1.0
        assert all(len(v) == n and all(0.0 <= x <= 1.0 for x in v) for v in row.curves["curves"].values())
    picked = scoring.metrics["curve_videos"]
    assert len(picked) == 4 and len(set(picked)) == 4

    client = client_for(rita)
    detail = client.get(f"/api/runs/{scoring.pk}/").json()["curves"]
    assert detail["model"] == {"id": version.pk, "frame_dimensions": ["smoothness", "motion"]}
    assert [v["video"] for v in detail["videos"]] == picked and detail["scoring_run"] == scoring.pk
    first = detail["videos"][0]
    assert first["scored"] and first["url"] and first["frame_count"] and first["fps"] and first["dip"]["depth"] >= 0
    # the reward run's page shows what the newest scoring run of its model picked
    assert [v["video"] for v in client.get(f"/api/runs/{reward.pk}/").json()["curves"]["videos"]] == picked

    body = client.get(f"/api/reward-models/promoted/curves/?videos={picked[1]},{picked[0]}").json()
    assert [v["video"] for v in body["videos"]] == [picked[1], picked[0]]
    assert body["videos"][1]["curves"] == RewardModelScore.objects.get(model_version=version, video_id=picked[0]).curves


def test_the_demo_policys_config_takes_per_frame_heads_when_switched_on(db):
    """The default install trains what demo_retrain_policy_ensure writes; these two fields are what
    would switch score curves on there (a decision left to the lead), so they must validate with it."""
    from training.runs.configs import config_for
    from training.runs.retrain import demo_retrain_policy_ensure

    policy = demo_retrain_policy_ensure(campaign=CampaignFactory())
    config, steps = config_for("reward", {**policy.reward_config, "frame_dimensions": ["smoothness", "motion", "character"],
                                          "segment_loss_weight": 1.0})
    assert config["frame_dimensions"] == ["smoothness", "motion", "character"] and config["segment_loss_weight"] == 1.0
    assert config["preset"] == "tiny" and steps == policy.reward_config["steps"]


# --- reads without a curve --------------------------------------------------------------------------

@pytest.fixture
def scored_pair(db):
    """Two videos; a promoted model without per-frame heads that scored the first one."""
    from training.exports.services import dataset_version_create
    from training.models import RewardModelScore, RewardModelVersion, RunState, TrainingRun

    campaign = CampaignFactory()
    a, b = VideoFactory(), VideoFactory()
    dataset = dataset_version_create(campaigns=[campaign], enqueue=False, test_fraction=0.0)
    run = TrainingRun.objects.create(kind="reward", state=RunState.SUCCEEDED, dataset_version=dataset,
                                     config={"preset": "tiny", "frame_dimensions": []})
    version = RewardModelVersion.objects.create(run=run, dataset_version=dataset, dataset_sha256="0" * 64,
                                                checkpoint_uri="x", metrics={}, accuracy=0.8, promoted=True)
    RewardModelScore.objects.create(model_version=version, video=a, scores={"overall": 0.5}, curves=None)
    return a, b, version


def test_the_pair_page_learns_the_model_has_no_per_frame_heads_and_which_video_is_not_scored(scored_pair, client_for, rita):
    a, b, version = scored_pair
    body = client_for(rita).get(f"/api/reward-models/promoted/curves/?videos={a.pk},{b.pk},999999").json()
    assert body["model"] == {"id": version.pk, "frame_dimensions": []}
    assert [(v["video"], v["scored"], v["curves"]) for v in body["videos"]] == [(a.pk, True, None), (b.pk, False, None)]
    assert body["videos"][0]["frame_count"] == 24 and body["videos"][0]["fps"] == 12.0


def test_without_a_promoted_model_the_curves_answer_names_no_model(scored_pair, client_for, rita):
    from training.models import RewardModelVersion

    a, _, _ = scored_pair
    RewardModelVersion.objects.update(promoted=False)
    assert client_for(rita).get(f"/api/reward-models/promoted/curves/?videos={a.pk}").json() == {
        "model": None, "videos": []}


@pytest.mark.parametrize("query", ["", "?videos=", "?videos=a,b", "?videos=-1", "?videos=" + ",".join(["1"] * 51),
                                   "?videos=%C2%B2", "?videos=" + "9" * 30])
def test_bad_video_lists_are_refused_with_a_clear_message(db, client_for, rita, query):
    response = client_for(rita).get(f"/api/reward-models/promoted/curves/{query}")
    assert response.status_code == 400 and "?videos=17,18" in response.json()["detail"]
