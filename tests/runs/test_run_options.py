"""Typed run options (training/runs/options.py): one frozen dataclass per run kind, checked once when
a run is created, stored as a plain JSON object, loaded back with defaults for what a row lacks."""
from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest

from studio_platform.errors import ValidationFailed
from training.models import TrainingRun
from training.runs.options import (
    GapoRunOptions,
    RewardRunOptions,
    ScoringRunOptions,
    from_stored,
    option_help,
    option_names,
    options_for,
    to_stored,
)

KINDS = ("reward", "scoring", "gapo")


def test_every_option_of_every_kind_has_a_default_and_help_text():
    for kind in KINDS:
        assert option_help(kind) and all(text.strip() for text in option_help(kind).values()), kind
        assert dataclasses.is_dataclass(options_for(kind, {}))
    assert "k" in option_names("gapo") and "k" not in option_names("reward")
    with pytest.raises(dataclasses.FrozenInstanceError):
        RewardRunOptions().auto_promote = False  # type: ignore[misc]


@pytest.mark.parametrize(("kind", "given", "message"), [
    ("reward", {"checkpoint_every": 0}, "checkpoint_every must be a positive integer"),
    ("reward", {"corrupt_labels": "invert"}, "corrupt_labels must be one of shuffle, flip (got 'invert')"),
    ("reward", {"num_processes": 0}, "num_processes must be an integer between 1 and 64"),
    ("reward", {"num_processes": "2"}, "num_processes must be an integer"),
    ("reward", {"num_processes": 2, "corrupt_labels": "shuffle"}, "corrupt_labels runs train in one process"),
    ("reward", {"promotion_epsilon": 1.5}, "promotion_epsilon must be a number in [0, 1)"),
    ("reward", {"auto_promote": "yes"}, "auto_promote must be true or false"),
    ("reward", {"gapo_config": {"beta": -1}}, "beta must be > 0"),
    ("reward", {"k": 3}, "Unknown run options: k; valid for a reward run: auto_promote, chain_gapo"),
    ("scoring", {"campaign_ids": "x"}, "campaign_ids must be a non-empty list of campaign ids"),
    ("scoring", {"batch_size": 10**9}, "option batch_size must be an integer between 1 and 1,024"),
    ("gapo", {"campaign_ids": []}, "campaign_ids must be a non-empty list"),
    ("gapo", {"k": 1}, "Invalid GAPO options: k >= 2"),
    ("gapo", {"k": "4"}, "option k must be an integer between 1 and 16 (got '4')"),
    ("gapo", {"min_gap": "big"}, "min_gap must be a number"),
    ("gapo", {"pair_source": "crowd"}, "pair_source must be one of onpolicy, human."),
    ("gapo", {"human_min_gap": 2}, "human_min_gap must be a number in [0, 1]"),
    ("gapo", {"base_generator": "mine"}, "base_generator must be 'demo'"),
    ("gapo", {"eval_fraction": 1.5}, "eval_fraction must be a number between 0 and 1"),
    ("gapo", {"num_processes": 2}, "num_processes > 1 is available for reward runs; a gapo run trains in one"),
    ("scoring", ["campaign_ids"], "options must be a JSON object"),
])
def test_bad_options_are_refused_with_a_message_that_says_what_to_fix(kind, given, message):
    with pytest.raises(ValidationFailed) as refused:
        options_for(kind, given)
    assert message in refused.value.detail


def test_null_means_the_default_and_one_process_is_accepted_for_every_kind():
    assert options_for("gapo", {"k": None, "num_processes": 1}) == GapoRunOptions()
    assert options_for("scoring", None) == ScoringRunOptions()


def test_stored_options_are_a_json_object_that_loads_back_and_old_rows_load_with_defaults():
    options = options_for("gapo", {"k": 3, "campaign_ids": [2, 1], "pair_source": "human"})
    stored = json.loads(json.dumps(to_stored(options)))
    assert stored["k"] == 3 and stored["max_prompts"] == 64 and set(stored) == set(option_names("gapo"))
    assert from_stored("gapo", stored) == options
    # a row written before the options were typed: some keys, and keys of other kinds
    old = from_stored("reward", {"checkpoint_every": 5, "k": 4, "campaign_ids": [1]})
    assert old == RewardRunOptions(checkpoint_every=5)
    assert from_stored("scoring", {}) == ScoringRunOptions()


def test_defaults_that_depend_on_the_run_are_resolved_by_the_options():
    policy = SimpleNamespace(promotion_epsilon=0.03, chain_scoring=True, chain_gapo=False, gapo_config={"steps": 9})
    reward = RewardRunOptions()
    assert reward.checkpoint_every_for(95) == 9 and reward.checkpoint_every_for(3) == 1
    assert RewardRunOptions(checkpoint_every=7).checkpoint_every_for(95) == 7
    assert reward.epsilon_for(None) == 0.01 and reward.epsilon_for(policy) == 0.03
    assert RewardRunOptions(promotion_epsilon=0.0).epsilon_for(policy) == 0.0, "0 is a value, not 'unset'"
    assert reward.chains_for(None) == (False, False, {})
    assert reward.chains_for(policy) == (True, False, {"steps": 9})
    assert RewardRunOptions(chain_scoring=False, chain_gapo=True, gapo_config={}).chains_for(policy) == (
        False, True, {})


@pytest.mark.django_db
def test_a_created_run_stores_every_option_of_its_kind(datasets_root):
    from tests.factories import CampaignFactory
    from training.exports.services import dataset_version_create
    from training.runs.services import run_create

    dataset = dataset_version_create(campaigns=[CampaignFactory()], test_fraction=0.0, enqueue=False)
    run = run_create(kind="reward", config={"preset": "tiny", "steps": 3}, dataset_version=dataset,
                     options={"promotion_epsilon": 0.02}, enqueue=False)
    run.refresh_from_db()
    assert run.options == to_stored(RewardRunOptions(promotion_epsilon=0.02))


@pytest.mark.django_db
def test_generation_runs_are_refused_with_a_clear_400(client_for, carol):
    response = client_for(carol).post("/api/runs/", {"kind": "generation"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "there are no generation runs" in body["fields"]["kind"][0]

    from training.runs.services import run_create

    with pytest.raises(ValidationFailed, match="there are no generation runs"):
        run_create(kind="generation", enqueue=False)
    assert not TrainingRun.objects.exists()


def test_checking_gapo_options_imports_neither_torch_nor_django_in_the_ml_package():
    """The web process validates GAPO options with JobOptions: importing it must stay light."""
    import subprocess
    import sys

    code = ("import sys, training.gapo.job_options; "
            "assert 'torch' not in sys.modules and 'django' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
