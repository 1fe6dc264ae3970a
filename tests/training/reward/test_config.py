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


def test_identity_dimensions_are_validated_and_old_configs_load_without_them(tmp_path):
    import json

    with pytest.raises(ValueError, match="identity_dimensions has unknown dimensions"):
        RewardConfig(identity_dimensions=("beauty",))
    config = RewardConfig(preset="tiny")
    assert config.identity_dimensions == ("character",)
    config.save(tmp_path / "new.json")
    assert RewardConfig.load(tmp_path / "new.json") == config
    old = json.loads((tmp_path / "new.json").read_text())
    del old["identity_dimensions"]  # what a checkpoint saved before the field existed holds
    (tmp_path / "old.json").write_text(json.dumps(old))
    loaded = RewardConfig.load(tmp_path / "old.json")
    assert loaded.identity_dimensions == () and "subject_vanish" not in loaded.handcrafted_names()


def test_only_the_identity_dimensions_heads_read_the_identity_signals():
    from training.reward.handcrafted import APPEARANCE_NAMES, COHERENCE_NAMES, FEATURE_NAMES
    from training.reward.identity import IDENTITY_FEATURE_NAMES
    from training.reward.models import AnimeRewardModel

    from training.reward.motion_pattern import MOTION_PATTERN_NAMES

    config = RewardConfig(preset="tiny", device="cpu", identity_dimensions=("character",))
    model = AnimeRewardModel(config)
    extra = {dim: scorer.head.in_features - scorer.feature_size() for dim, scorer in model.scorers.items()}
    assert extra["character"] == len(FEATURE_NAMES) + len(IDENTITY_FEATURE_NAMES)
    assert extra["image_video"] == len(FEATURE_NAMES)
    assert extra["appeal"] == len(FEATURE_NAMES) + len(APPEARANCE_NAMES)  # appearance_dimensions default
    assert extra["motion"] == len(FEATURE_NAMES) + len(MOTION_PATTERN_NAMES)
    # text_video reads the motion pattern both as plain inputs and through the prompt-motion bilinear term
    assert extra["text_video"] == len(FEATURE_NAMES) + len(MOTION_PATTERN_NAMES)
    assert model.scorers["text_video"].motion_head.out_features == len(MOTION_PATTERN_NAMES)
    assert not hasattr(model.scorers["appeal"], "motion_head")
    assert extra["smoothness"] == len(FEATURE_NAMES) + len(COHERENCE_NAMES)  # coherence_dimensions default
    assert model.hc_mean.shape == (len(FEATURE_NAMES) + len(IDENTITY_FEATURE_NAMES) + len(MOTION_PATTERN_NAMES)
                                   + len(COHERENCE_NAMES) + len(APPEARANCE_NAMES),)


def test_configs_saved_before_the_motion_pattern_load_without_it(tmp_path):
    import json

    config = RewardConfig(preset="tiny")
    assert config.motion_pattern_dimensions == ("text_video", "motion")
    config.save(tmp_path / "new.json")
    old = json.loads((tmp_path / "new.json").read_text())
    del old["motion_pattern_dimensions"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert RewardConfig.load(tmp_path / "old.json").motion_pattern_dimensions == ()
    with pytest.raises(ValueError, match="motion_pattern_dimensions has unknown dimensions"):
        RewardConfig(motion_pattern_dimensions=("vibes",))


def test_prompt_motion_text_follows_the_preset_and_is_validated():
    from training.reward.config import PROMPT_WORD_DIM
    from training.reward.models import AnimeRewardModel

    assert RewardConfig(preset="cpu").prompt_motion_text == "words"
    assert RewardConfig(preset="paper").prompt_motion_text == "backbone"
    with pytest.raises(ValueError, match="words, backbone"):
        RewardConfig(prompt_motion_text="tokens")
    model = AnimeRewardModel(RewardConfig(preset="tiny", device="cpu", dimensions=("text_video",)))
    assert model.scorers["text_video"].motion_head.in_features == PROMPT_WORD_DIM


def test_feature_groups_no_scored_dimension_reads_are_not_computed():
    from training.reward.handcrafted import APPEARANCE_NAMES, COHERENCE_NAMES, FEATURE_NAMES

    only_smoothness = RewardConfig(preset="tiny", dimensions=("smoothness",))
    assert not only_smoothness.uses_identity() and not only_smoothness.uses_motion_pattern()
    assert not only_smoothness.uses_appearance()
    assert only_smoothness.handcrafted_names() == FEATURE_NAMES + COHERENCE_NAMES
    only_appeal = RewardConfig(preset="tiny", dimensions=("appeal",))
    assert not only_appeal.uses_coherence() and only_appeal.handcrafted_names() == FEATURE_NAMES + APPEARANCE_NAMES
    assert RewardConfig(preset="tiny", dimensions=("character",)).uses_identity()


def test_handcrafted_features_are_off_by_default_in_the_paper_preset_only():
    assert RewardConfig(preset="paper").handcrafted_features is False
    assert RewardConfig(preset="cpu").handcrafted_features is True
    assert RewardConfig(preset="tiny").handcrafted_features is True
    assert RewardConfig(preset="paper", handcrafted_features=True).handcrafted_features is True
