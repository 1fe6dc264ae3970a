"""`POST /api/runs/ {"kind": "gapo", "dense": true}` (the /runs/ page's "Run dense GAPO"): the deployment's
default GAPO setup with segment weighting on human pairs, refused up front (400, nothing stored) with a
config, for another kind, or when the run's campaigns have no judged pair or no span."""
from __future__ import annotations

import pytest

from tests.runs.conftest import TRANSACTIONAL
from tests.runs.test_gapo_run import promoted_row  # noqa: F401  (fixture)
from training.models import TrainingRun

pytestmark = TRANSACTIONAL
DEFAULT_CONFIG = {"preset": "tiny", "steps": 7, "device": "cpu", "beta": 200.0}
DEFAULT_OPTIONS = {"base_generator": "demo", "k": 3, "dimension": "appeal"}


@pytest.fixture
def defaults(settings):
    settings.GAPO_DEFAULT_CONFIG = dict(DEFAULT_CONFIG)
    settings.GAPO_DEFAULT_OPTIONS = dict(DEFAULT_OPTIONS)
    return settings


def _post(client, body):
    return client.post("/api/runs/", body, content_type="application/json")


def test_dense_true_starts_the_default_setup_with_segment_weighting_on_human_pairs(
        promoted_row, defaults, client, carol, monkeypatch):  # noqa: F811
    from studio_platform.models import AuditLog

    queued = []
    monkeypatch.setattr("training.runs.services.enqueue_run", queued.append)
    client.force_login(carol)
    response = _post(client, {"kind": "gapo", "dense": True, "options": {"k": 5}})
    assert response.status_code == 201, response.content
    run = TrainingRun.objects.get(pk=response.json()["id"])
    assert queued == [run.pk] and run.reward_model_id == promoted_row.pk
    assert run.config["frame_weighting"] == "segments"
    assert run.config["dense_beta"] == 1.0, "GapoConfig's default: no second number in the preset"
    assert {k: run.config[k] for k in ("steps", "beta")} == {"steps": 7, "beta": 200.0}, "the deployment's setup"
    assert run.options["pair_source"] == "human" and run.options["k"] == 5 and run.options["base_generator"] == "demo"
    assert AuditLog.objects.filter(action="run.start", details__dense=True).count() == 1

    plain = _post(client, {"kind": "gapo"}).json()  # the other button: unchanged
    assert plain["id"] != run.pk
    plain_run = TrainingRun.objects.get(pk=plain["id"])
    assert plain_run.config["frame_weighting"] == "none" and plain_run.options["pair_source"] == "onpolicy"

    defaults.GAPO_DEFAULT_CONFIG = {**DEFAULT_CONFIG, "dense_beta": 3.0}  # a deployment picks its own beta
    beta = TrainingRun.objects.get(pk=_post(client, {"kind": "gapo", "dense": True}).json()["id"])
    assert beta.config["dense_beta"] == 3.0 and beta.config["frame_weighting"] == "segments"


def test_dense_is_refused_with_a_config_another_kind_or_on_policy_pairs(promoted_row, defaults, client,  # noqa: F811
                                                                        carol):
    client.force_login(carol)
    cases = [
        ({"kind": "gapo", "dense": True, "config": DEFAULT_CONFIG}, "takes no config"),
        ({"kind": "scoring", "dense": True}, "GAPO runs only"),
        ({"kind": "gapo", "dense": True, "options": {"pair_source": "onpolicy"}}, "only human pairs carry"),
        ({"kind": "gapo", "dense": "sometimes"}, "valid boolean"),
    ]
    for body, message in cases:
        response = _post(client, body)
        assert response.status_code == 400, body
        assert message in str(response.json()), (body, response.json())
    assert not TrainingRun.objects.filter(kind__in=("gapo", "scoring")).exists()


def test_dense_without_judged_pairs_or_without_spans_says_so_before_storing(
        promoted_row, defaults, client, carol):  # noqa: F811
    from annotation.models import Segment
    from tests.factories import CampaignFactory

    client.force_login(carol)
    empty = CampaignFactory(name="Nothing judged yet")
    response = _post(client, {"kind": "gapo", "dense": True, "options": {"campaign_ids": [empty.pk]}})
    assert response.status_code == 400
    assert "have no judged pair" in response.json()["detail"] and str(empty.pk) in response.json()["detail"]

    Segment.objects.all().delete()  # the demo's annotators judged, but nobody marked a span
    response = _post(client, {"kind": "gapo", "dense": True})
    assert response.status_code == 400
    assert "no annotator marked an artefact span" in response.json()["detail"]
    assert not TrainingRun.objects.filter(kind="gapo").exists()
