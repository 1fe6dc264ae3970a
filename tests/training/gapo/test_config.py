"""training/gapo/config: validation lists valid values; the config round-trips through JSON."""

import pytest

from training.gapo.config import GapoConfig


def test_prediction_defaults_to_the_family_convention():
    assert GapoConfig(family="cogvideox").prediction == "v"
    assert GapoConfig(family="wan").prediction == "flow"


@pytest.mark.parametrize(
    "field, value, valid",
    [
        ("family", "hunyuan", "cogvideox, wan"),
        ("weight", "cubic", "pow2, pow3, ratio, linear, none"),
        ("mixed_precision", "fp8", "no, bf16, fp16"),
        ("prediction", "x0", "epsilon, v, flow"),
        ("preset", "huge", "tiny, paper"),
    ],
)
def test_invalid_choice_lists_valid_values(field, value, valid):
    with pytest.raises(ValueError, match=valid):
        GapoConfig(**{field: value})


def test_numbers_are_checked():
    with pytest.raises(ValueError, match="grad_accum"):
        GapoConfig(grad_accum=0)
    with pytest.raises(ValueError, match="beta"):
        GapoConfig(beta=0)


def test_paper_preset_needs_a_model_path():
    with pytest.raises(ValueError, match="model_path"):
        GapoConfig(preset="paper")


def test_round_trips_through_json(tmp_path):
    config = GapoConfig(family="wan", weight="ratio", lora_rank=8, lora_targets=("to_q", "to_v"))
    config.save(tmp_path / "config.json")
    assert GapoConfig.load(tmp_path / "config.json") == config
