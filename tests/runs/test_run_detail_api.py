"""GET /api/runs/<id>/ for the run page: the series it charts and the GAPO samples it shows."""
from __future__ import annotations

import pytest

from training.models import RunMetric, RunState, TrainingRun

pytestmark = pytest.mark.django_db


def _gapo_run(metrics: dict) -> TrainingRun:
    return TrainingRun.objects.create(kind="gapo", state=RunState.SUCCEEDED, step=4, total_steps=4, metrics=metrics)


def test_a_gapo_evaluation_that_reports_a_sample_count_has_no_samples(rita, client_for):
    # training/gapo/evaluate.py returns {"samples": <count>, "base": ..., "trained": ...}
    run = _gapo_run({"samples": 8, "base": {"motion": 0.4}, "trained": {"motion": 0.5}})
    response = client_for(rita).get(f"/api/runs/{run.pk}/")
    assert response.status_code == 200
    assert response.json()["samples"] == []
    assert response.json()["metrics"]["trained"] == {"motion": 0.5}


def test_listed_samples_reach_the_page_and_junk_entries_are_dropped(rita, client_for):
    sample = {"prompt": "A girl waves", "base_url": "/media/a.mp4", "trained_url": "/media/b.mp4",
              "base_scores": {"motion": 0.4}, "trained_scores": {"motion": 0.6}}
    run = _gapo_run({"samples": [sample, "not a sample"]})
    assert client_for(rita).get(f"/api/runs/{run.pk}/").json()["samples"] == [sample]


def test_the_series_is_in_step_order_with_every_logged_value(rita, client_for):
    run = TrainingRun.objects.create(kind="reward", state=RunState.RUNNING, step=2, total_steps=10)
    RunMetric.objects.create(run=run, step=2, values={"loss": 0.6, "motion/accuracy": 0.75})
    RunMetric.objects.create(run=run, step=1, values={"loss": 0.7, "motion/accuracy": 0.5})
    body = client_for(rita).get(f"/api/runs/{run.pk}/").json()
    assert [p["step"] for p in body["series"]] == [1, 2]
    assert body["series"][1]["values"] == {"loss": 0.6, "motion/accuracy": 0.75}
    assert body["progress"] == 0.2
