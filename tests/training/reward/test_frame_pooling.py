"""Issue #22: frame_pooling. 'separate' (default): the frame heads stay out of the video logits and learn from their
own pairwise term; 'added' (the first design, and every config saved before the field): their mean joins the logit."""

import json
import math

import pytest
import torch

from training.reward import AnimeReward, RewardConfig
from training.reward.data import demo_pairset
from training.reward.frame_features import FRAME_DIMENSIONS
from training.reward.inputs import collate
from training.reward.models import AnimeRewardModel
from training.reward.train import RewardTrainer, prepare_all

FRAMES = dict(frame_dimensions=FRAME_DIMENSIONS)


def tiny(**kw):
    return RewardConfig(**{"preset": "tiny", "device": "cpu", "batch_size": 4, "steps": 2, **kw})


@pytest.fixture(scope="module")
def frame_prepared(demo_pairs):
    return prepare_all(demo_pairs, tiny(**FRAMES))


def _video_logits(trainer, items):
    model = trainer.unwrapped().eval()
    with torch.no_grad():
        return model(collate(items))


def test_new_configs_keep_the_frame_heads_out_of_the_video_logit_and_bad_values_are_refused():
    assert tiny(**FRAMES).frame_pooling == "separate"
    with pytest.raises(ValueError, match="frame_pooling"):
        tiny(frame_pooling="mean")
    for bad in (-1, "1", True):
        with pytest.raises(ValueError, match="frame_pairwise_weight"):
            tiny(frame_pairwise_weight=bad)


def test_trained_frame_heads_with_segment_loss_leave_the_video_logits_as_without_them(demo_dir, frame_prepared):
    """Same seed, same pairs: the scorers see the same gradients (clipped apart from the heads' at a clip norm
    small enough to bind every step), so their logits, hence pairwise accuracy, are those of the plain model."""
    pairs = demo_pairset(demo_dir, test_fraction=0.0, spans=True)
    common = dict(steps=3, max_grad_norm=1e-3, seed=3)
    framed = RewardTrainer(tiny(**FRAMES, segment_loss_weight=1.0, **common), pairs, prepared=frame_prepared)
    plain = RewardTrainer(tiny(**common), pairs, prepared=frame_prepared)
    assert framed.marks and not plain.marks
    seen = []
    framed.callback = seen.append
    framed.train()
    plain.train()
    assert any(k.endswith("/frame_pairwise_loss") for m in seen for k in m)
    items = [frame_prepared[k] for k in list(frame_prepared)[:6]]
    a, b = _video_logits(framed, items), _video_logits(plain, items)
    assert set(a) == set(b)
    for d in a:
        assert torch.equal(a[d], b[d]), d


def test_the_frame_heads_own_pairwise_term_by_hand(demo_dir, frame_prepared):
    """bt on mean_t s_t of B minus A, per frame dimension over its labelled pairs, then the mean over dimensions:
    smoothness (pair 0: B ln 3 above A, B better: ln 4/3; pair 1: equal means, A better: ln 2), character (pair 0 not
    labelled; pair 1: B ln 3 above, B better: ln 4/3) -> (ln(8/3)/2 + ln(4/3)) / 2."""
    config = tiny(**FRAMES, loss="bt")
    trainer = RewardTrainer(config, demo_pairset(demo_dir, test_fraction=0.0), prepared=frame_prepared)
    ln3 = math.log(3)
    curves = {  # rows: A of pair 0, A of pair 1, B of pair 0, B of pair 1; two frames
        "smoothness": torch.tensor([[0.0, 0.0], [1.0, -1.0], [ln3, ln3], [0.0, 0.0]]),
        "character": torch.tensor([[5.0, 5.0], [0.0, 0.0], [0.0, 0.0], [0.0, 2 * ln3]]),
    }
    strengths = torch.full((2, len(config.dimensions)), float("nan"))
    strengths[:, config.dimensions.index("smoothness")] = torch.tensor([1.0, -2.0])
    strengths[1, config.dimensions.index("character")] = 1.0
    metrics = {}
    loss = trainer._frame_pairwise_loss(curves, strengths, metrics)
    expected = (math.log(8 / 3) / 2 + math.log(4 / 3)) / 2
    assert float(loss) == pytest.approx(expected, abs=1e-6)
    assert metrics["character/frame_pairwise_loss"] == pytest.approx(math.log(4 / 3), abs=1e-6)


def test_a_checkpoint_saved_before_frame_pooling_loads_as_added_and_scores_as_saved(frame_prepared, tmp_path):
    config = tiny(**FRAMES, frame_pooling="added")
    model = AnimeRewardModel(config)
    with torch.no_grad():  # a trained head: its mean moves the video logit
        for head in model.frame_heads.values():
            head.head.weight.normal_(std=0.5)
            head.head.bias.fill_(0.3)
    reward = AnimeReward(config, model)
    items = [frame_prepared[k] for k in list(frame_prepared)[:3]]
    reward.save(tmp_path / "ckpt")
    saved = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    assert saved["frame_pooling"] == "added"
    del saved["frame_pooling"]  # as written earlier on the day frame heads arrived
    (tmp_path / "ckpt" / "config.json").write_text(json.dumps(saved))
    loaded = AnimeReward.from_checkpoint(tmp_path / "ckpt")
    assert loaded.config.frame_pooling == "added"
    assert loaded.combine(loaded.logits(items)) == reward.combine(reward.logits(items))
    assert loaded.curves(items) == reward.curves(items)
    other = AnimeRewardModel(tiny(**FRAMES))  # the same weights read the new way: the mean no longer counts
    other.load_state_dict(model.state_dict())
    separate = AnimeReward(other.config, other)
    assert separate.logits(items)["character"].tolist() != reward.logits(items)["character"].tolist()


def test_a_separate_checkpoint_round_trips_and_its_curve_averages_to_the_plain_video_logit(frame_prepared, tmp_path):
    reward = AnimeReward(tiny(**FRAMES))
    with torch.no_grad():
        for head in reward.model.frame_heads.values():
            head.head.weight.normal_(std=0.5)
    reward.save(tmp_path / "ckpt")
    loaded = AnimeReward.from_checkpoint(tmp_path / "ckpt")
    assert loaded.config.frame_pooling == "separate"
    items = [frame_prepared[k] for k in list(frame_prepared)[:2]]
    assert loaded.curves(items) == reward.curves(items)
    plain = AnimeReward(tiny())  # same seed, no heads: the same scorer weights
    assert torch.equal(loaded.logits(items)["smoothness"], plain.logits(items)["smoothness"])
    for row, logit in zip(loaded.curves(items), plain.logits(items)["smoothness"]):
        points = torch.logit(torch.tensor(row["curves"]["smoothness"], dtype=torch.float64))
        assert points.mean().item() == pytest.approx(float(logit), abs=1e-4)


def test_the_cpu_preset_trains_decoupled_curves_with_spans_on_smoothness_and_character_and_tiny_has_none():
    cpu = RewardConfig(preset="cpu", device="cpu")
    assert cpu.frame_dimensions == ("smoothness", "motion", "character")
    assert cpu.segment_loss_weight == 1.0 and cpu.segment_dimensions == ("smoothness", "character")
    assert cpu.frame_pooling == "separate" and cpu.frame_pairwise_weight == 0.25
    assert RewardConfig(preset="cpu", loss="mse").segment_loss_weight == 0.0  # no segment loss beside ratings
    only = RewardConfig(preset="cpu", dimensions=("appeal", "character"))
    assert only.frame_dimensions == ("character",) and only.segment_dimensions == ("character",)
    assert RewardConfig(preset="cpu", frame_dimensions=()).segment_loss_weight == 0.0
    assert tiny().frame_dimensions == () and tiny().segment_loss_weight == 0.0


def test_a_cpu_config_saved_before_issue_22_still_loads_without_frame_heads(tmp_path):
    RewardConfig(preset="cpu").save(tmp_path / "new.json")
    saved = json.loads((tmp_path / "new.json").read_text())
    for key in ("frame_dimensions", "segment_loss_weight", "segment_dimensions", "frame_pooling",
                "frame_pairwise_weight"):
        del saved[key]
    (tmp_path / "old.json").write_text(json.dumps(saved))
    old = RewardConfig.load(tmp_path / "old.json")
    assert old.frame_dimensions == () and old.segment_loss_weight == 0.0 and old.frame_pooling == "added"
