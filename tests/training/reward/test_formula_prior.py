"""The cpu preset's heads start from the fixed formulas and learn corrections to them (README 'Formula prior')."""

import numpy as np
import pytest
import torch

from training.reward import RewardConfig
from training.reward.handcrafted import DIMENSION_FEATURES, FEATURE_NAMES, baseline_scores, prior_logits
from training.reward.inputs import collate
from training.reward.models import AnimeRewardModel
from training.reward.train import RewardTrainer

CPU_SMALL = {"preset": "cpu", "device": "cpu", "hidden_size": 8, "frame_size": 16, "batch_size": 4,
             "static_negatives": 0.0}


@pytest.fixture(scope="module")
def cpu_prepared(demo_pairs):
    from training.reward.train import prepare_all

    return prepare_all(demo_pairs, RewardConfig(**CPU_SMALL))


def test_prior_logits_are_the_formulas_log_odds_clamped():
    features = {"flicker": 0.0, "shake": 0.0, "flow_incoherence": 0.2, "motion": 0.4, "sharpness": 100.0,
                "noise": 0.0, "colour_drift": 0.0, "hist_sim": 1.0, "char_hist": 0.999999}
    scores = baseline_scores(features)
    logits = prior_logits(features, ("smoothness", "motion", "appeal", "character"))
    assert logits[0] == pytest.approx(np.log(scores["smoothness"] / (1 - scores["smoothness"])), rel=1e-5)
    assert logits[1] == pytest.approx(np.log(scores["motion"] / (1 - scores["motion"])), rel=1e-5)
    assert logits[2] == pytest.approx(0.0, abs=1e-6)  # sharpness 100 -> 0.5
    assert logits[3] == pytest.approx(np.log((1 - 1e-4) / 1e-4), rel=1e-5)  # saturated map: clamped


def test_the_cpu_preset_with_zero_heads_scores_exactly_the_formulas_log_odds(demo_pairs, cpu_prepared):
    config = RewardConfig(**CPU_SMALL)
    assert config.formula_prior and config.scoped_features and config.head_l2 > 0
    model = AnimeRewardModel(config).eval()
    for scorer in model.scorers.values():
        torch.nn.init.zeros_(scorer.head.weight)
    items = list(cpu_prepared.values())
    with torch.no_grad():
        out = model(collate(items))
    expected = np.stack([prior_logits(it["features"], config.dimensions) for it in items])
    for j, dim in enumerate(config.dimensions):
        np.testing.assert_allclose(out[dim].numpy(), expected[:, j], rtol=1e-5, atol=1e-5)


def test_scoped_heads_read_only_their_dimensions_measurements():
    config = RewardConfig(**CPU_SMALL)
    assert "sharpness" not in config.head_feature_names("character")
    assert "sharpness" not in config.head_feature_names("smoothness")
    assert set(DIMENSION_FEATURES["smoothness"]) < set(config.head_feature_names("smoothness"))
    assert "flow_incoherence" in config.head_feature_names("smoothness")
    assert "subject_colour_min" in config.head_feature_names("character")
    unscoped = RewardConfig(**{**CPU_SMALL, "scoped_features": False})
    assert set(FEATURE_NAMES) <= set(unscoped.head_feature_names("character"))
    model = AnimeRewardModel(config)
    for dim, scorer in model.scorers.items():
        assert scorer.head.in_features == scorer.feature_size() + len(config.head_feature_names(dim))


def test_head_l2_keeps_a_trained_model_closer_to_the_formulas(demo_pairs, cpu_prepared):
    def norms(head_l2, net_head_l2):
        config = RewardConfig(**{**CPU_SMALL, "steps": 6, "head_l2": head_l2, "net_head_l2": net_head_l2,
                                 "head_lr": 0.05})
        trainer = RewardTrainer(config, demo_pairs, prepared=cpu_prepared)
        trainer.train()
        return {k: float(v.detach()) for k, v in trainer.head_weight_norms().items()}

    free, handcrafted_priced, net_priced = norms(0.0, 0.0), norms(50.0, 0.0), norms(0.0, 50.0)
    assert handcrafted_priced["head"] < free["head"] and net_priced["net"] < free["net"]
    # each price pulls on its own share of the head
    assert handcrafted_priced["net"] > net_priced["net"] and net_priced["head"] > handcrafted_priced["head"]


def test_configs_saved_before_the_prior_load_without_it_and_bad_values_are_refused(tmp_path):
    import json

    RewardConfig(**CPU_SMALL).save(tmp_path / "new.json")
    old = json.loads((tmp_path / "new.json").read_text())
    for key in ("formula_prior", "scoped_features", "head_l2", "net_head_l2"):
        del old[key]
    (tmp_path / "old.json").write_text(json.dumps(old))
    loaded = RewardConfig.load(tmp_path / "old.json")
    assert (loaded.formula_prior, loaded.scoped_features, loaded.head_l2) == (False, False, 0.0)
    assert loaded.net_head_l2 == 0.0
    session7 = {k: v for k, v in RewardConfig(**CPU_SMALL).to_dict().items() if k != "net_head_l2"}
    (tmp_path / "session7.json").write_text(json.dumps(session7))
    assert RewardConfig.load(tmp_path / "session7.json").net_head_l2 == session7["head_l2"]  # one price for all
    with pytest.raises(ValueError, match="formula_prior"):
        RewardConfig(preset="cpu", formula_prior="yes")
    with pytest.raises(ValueError, match="head_l2"):
        RewardConfig(preset="cpu", head_l2=-1)
    with pytest.raises(ValueError, match="net_head_l2"):
        RewardConfig(preset="cpu", net_head_l2="high")


def test_monotone_heads_never_learn_that_more_of_a_defect_is_better(demo_pairs, cpu_prepared):
    from training.reward.handcrafted import FEATURE_SIGNS

    config = RewardConfig(**{**CPU_SMALL, "steps": 6, "head_lr": 0.5, "head_l2": 0.0})
    trainer = RewardTrainer(config, demo_pairs, prepared=cpu_prepared)
    model = trainer.unwrapped()
    with torch.no_grad():  # start every constrained weight on the wrong side: the first step must fix it
        for dim, scorer in model.scorers.items():
            n = len(scorer.hc_signs)
            scorer.head.weight[0, -n:] = -scorer.hc_signs * 1.0
            scorer.prior_scale.fill_(-1.0)
    trainer.train()
    for dim, scorer in model.scorers.items():
        names = config.head_feature_names(dim)
        w = scorer.head.weight[0, -len(names):].detach()
        for name, weight in zip(names, w):
            sign = FEATURE_SIGNS[dim].get(name, 0)
            assert sign * float(weight) >= 0.0, (dim, name, float(weight))
        assert float(scorer.prior_scale.detach()) >= 0.0
    assert any(FEATURE_SIGNS[d] for d in config.dimensions)


def test_the_backbone_learning_rate_follows_the_preset_unless_given():
    assert RewardConfig(preset="cpu").lr == 1e-4
    assert RewardConfig(preset="tiny").lr == RewardConfig(preset="paper").lr == 1e-3
    assert RewardConfig(preset="cpu", lr=0.01).lr == 0.01
    with pytest.raises(ValueError, match="lr must be > 0"):
        RewardConfig(preset="cpu", lr=0.0)


def test_every_signed_measurement_is_one_a_head_reads_in_some_scope():
    """A sign is about what a measurement means, so FEATURE_SIGNS keeps the signs of inputs the first scope table's
    checkpoints read (appeal's warp, image_video's identity signals) for resuming them; none is a typo."""
    from training.reward.handcrafted import FEATURE_SIGNS

    current = RewardConfig(**CPU_SMALL)
    first = RewardConfig(**{**CPU_SMALL, "feature_scope": 1, "identity_dimensions": ("character", "image_video")})
    for dim, signs in FEATURE_SIGNS.items():
        read = set(current.head_feature_names(dim)) | set(first.head_feature_names(dim))
        assert set(signs) <= read, (dim, set(signs) - read)
        assert set(signs.values()) <= {-1, 1}


def test_the_current_scope_drops_the_inputs_that_taught_heads_the_demo_generators():
    config = RewardConfig(**CPU_SMALL)
    assert config.feature_scope == 2
    # appeal is how a frame looks; a negative weight on the flow residual (warp) made standing still more appealing
    assert {"warp", "flicker"}.isdisjoint(config.head_feature_names("appeal"))
    assert {"warp", "flicker"} <= set(config.head_feature_names("smoothness"))
    # the character head's one unsigned input, learnt with the wrong meaning (more background change = better)
    assert "border_change" not in config.head_feature_names("character")
    # identity is the character head's; image_video weighs colour fidelity only
    assert "subject_colour_min" not in config.head_feature_names("image_video")
    assert "subject_colour_min" in config.head_feature_names("character")
    for dim in ("character", "image_video", "smoothness"):
        assert all(config.head_feature_signs(dim)), (dim, config.head_feature_names(dim))


def test_a_checkpoint_saved_with_the_first_scope_table_keeps_its_inputs(tmp_path):
    import json

    old = RewardConfig(**CPU_SMALL).to_dict()
    del old["feature_scope"]  # what a session-7 checkpoint's config.json holds
    old["identity_dimensions"] = ["character", "image_video"]
    (tmp_path / "config.json").write_text(json.dumps(old))
    loaded = RewardConfig.load(tmp_path / "config.json")
    assert loaded.feature_scope == 1
    assert "border_change" in loaded.head_feature_names("character") and "warp" in loaded.head_feature_names("appeal")
    assert "subject_colour_min" in loaded.head_feature_names("image_video")
    model = AnimeRewardModel(loaded)
    for dim, scorer in model.scorers.items():
        assert scorer.head.in_features == scorer.feature_size() + len(loaded.head_feature_names(dim))
    for bad in (3, 0, "2", True, [2]):
        with pytest.raises(ValueError, match="feature_scope"):
            RewardConfig(preset="cpu", feature_scope=bad)


def test_the_prior_scale_fit_recovers_the_temperature_of_bradley_terry_labels():
    from training.reward.prior_fit import fit_prior_scale

    g = torch.Generator().manual_seed(0)
    diff = torch.randn(4000, generator=g, dtype=torch.float64)
    for true_scale in (0.3, 4.0):
        b_wins = torch.rand(4000, generator=g, dtype=torch.float64) < torch.sigmoid(true_scale * diff)
        strength = torch.where(b_wins, 1.0, -1.0).float()
        fitted = fit_prior_scale(diff.float(), strength, loss="bt", tie_margin=0.5, strength_margin=0.5)
        assert fitted == pytest.approx(true_scale, rel=0.15)
    unlabelled = torch.full((10,), float("nan"))
    assert fit_prior_scale(diff[:10].float(), unlabelled, loss="bt", tie_margin=0.5, strength_margin=0.5) == 1.0


def test_training_starts_each_head_at_its_formulas_best_temperature(demo_pairs, cpu_prepared):
    from training.reward.data import strength_matrix
    from training.reward.losses import pairwise_loss
    from training.reward.config import DIMENSIONS

    config = RewardConfig(**{**CPU_SMALL, "steps": 1})
    trainer = RewardTrainer(config, demo_pairs, prepared=cpu_prepared)
    model = trainer.unwrapped()
    scales = {dim: float(scorer.prior_scale.detach()) for dim, scorer in model.scorers.items()}
    assert len({round(v, 3) for v in scales.values()}) > 1  # fitted per dimension, not all left at 1
    strengths = torch.from_numpy(strength_matrix(trainer.pairs, config.dimensions))
    for j, dim in enumerate(config.dimensions):  # the fitted scale beats 1 and its neighbours on the training pairs
        column = DIMENSIONS.index(dim)
        diff = torch.tensor([float(cpu_prepared[p.video_b]["prior"][column] - cpu_prepared[p.video_a]["prior"][column])
                             for p in trainer.pairs])
        known = ~torch.isnan(strengths[:, j])

        def loss(k):
            return float(pairwise_loss(config.loss, k * diff[known], strengths[known, j],
                                       tie_margin=config.tie_margin)[0])

        best = scales[dim]
        assert loss(best) <= min(loss(1.0), loss(best * 1.3), loss(best / 1.3)) + 1e-6, dim
