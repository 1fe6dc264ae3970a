import pytest

from training.reward.config import DEFAULT_SCORERS, RewardConfig


def test_invalid_values_name_the_valid_ones():
    with pytest.raises(ValueError, match="tiny, cpu, paper"):
        RewardConfig(preset="huge")
    with pytest.raises(ValueError, match="bt, bt_ties, bt_margin, bt_gap, mse, l1"):
        RewardConfig(loss="hinge")
    with pytest.raises(ValueError, match="smoothness"):
        RewardConfig(dimensions=("beauty",))
    with pytest.raises(ValueError, match="video_regression"):
        RewardConfig(scorers={"motion": "magic"})


def test_presets_fill_unset_fields_and_overall_weights_are_normalised():
    c = RewardConfig(preset="cpu", overall_weights={"smoothness": 3, "motion": 1})
    assert (c.finetune, c.frame_size) == ("full", 32)
    assert c.overall_weights["smoothness"] == pytest.approx(0.75) and c.overall_weights["appeal"] == 0.0
    assert c.scorers == DEFAULT_SCORERS
    assert RewardConfig(preset="tiny").finetune == "lora"


def test_config_round_trips_through_json(tmp_path):
    c = RewardConfig(preset="tiny", dimensions=("motion", "character"), steps=3)
    c.save(tmp_path / "config.json")
    assert RewardConfig.load(tmp_path / "config.json") == c


def test_character_crop_is_two_fractions_and_survives_a_round_trip(tmp_path):
    import pytest

    from training.reward.config import RewardConfig

    config = RewardConfig(character_crop=[0.3, 0.8])
    assert config.character_crop == (0.3, 0.8)
    config.save(tmp_path / "c.json")
    assert RewardConfig.load(tmp_path / "c.json").character_crop == (0.3, 0.8)
    for bad in ([0.3], [0.0, 0.5], [0.5, 1.5]):
        with pytest.raises(ValueError, match="character_crop"):
            RewardConfig(character_crop=bad)
