"""Issue #22 in the reward model: span -> frame mapping, the segment loss against hand values, the per-frame head
(config, curve shape, old checkpoints), the segments table and the demo's simulated spans."""

import json
import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from training.reward import AnimeReward, RewardConfig
from training.reward.data import demo_pairset, load_dataset_version
from training.reward.frame_features import FRAME_DIMENSIONS, FRAME_FEATURE_NAMES, formula_curves, frame_features
from training.reward.losses import segment_rank_loss
from training.reward.models import AnimeRewardModel
from training.reward.segments import SpanMark, marked_share, span_mask, video_marks
from training.reward.train import RewardTrainer, prepare_all

FRAMES = dict(frame_dimensions=FRAME_DIMENSIONS)


def tiny(**kw):
    return RewardConfig(**{"preset": "tiny", "device": "cpu", "batch_size": 4, "steps": 2, **kw})


def t(*values):
    return torch.tensor(values, dtype=torch.float64)


# --- span -> model frames -------------------------------------------------------------------------------------------

def test_a_span_on_a_48_frame_rendition_covers_the_model_frames_at_its_relative_time():
    # model frame k shows rendition frame (94k + 23) // 46: k=5 -> 10, k=6 -> 12, k=7 -> 14
    assert np.flatnonzero(span_mask([(10, 13)], 48, 24)).tolist() == [5, 6]
    assert np.flatnonzero(span_mask([(0, 0), (47, 47)], 48, 24)).tolist() == [0, 23]


def test_a_span_between_two_sampled_frames_still_marks_its_nearest_one():
    # rendition frame 11 falls between model frames 5 (frame 10) and 6 (frame 12); its nearest is 5
    assert np.flatnonzero(span_mask([(11, 11)], 48, 24)).tolist() == [5]


def test_when_the_model_samples_more_frames_than_the_rendition_has_every_copy_is_marked():
    # 4 rendition frames onto 7 model frames: model frames 1 and 2 both show rendition frame 1
    assert np.flatnonzero(span_mask([(1, 1)], 4, 7)).tolist() == [1, 2]


def test_spans_off_the_grid_are_refused():
    with pytest.raises(ValueError, match="not on a grid of 48 frames"):
        span_mask([(40, 48)], 48, 24)
    with pytest.raises(ValueError, match="not on a grid"):
        span_mask([(5, 4)], 48, 24)


def test_several_annotators_give_the_share_that_marked_each_frame():
    marks = [SpanMark(0, 3, 8, "ann1"), SpanMark(2, 5, 8, "ann2"), SpanMark(7, 7, 8, "ann2")]
    np.testing.assert_allclose(marked_share(marks, 8), [0.5, 0.5, 1, 1, 0.5, 0.5, 0, 0.5])
    assert video_marks({"v": {"smoothness": marks, "motion": []}}, ("smoothness", "motion"), 8).keys() == {"v"}
    assert set(video_marks({"v": {"smoothness": marks, "motion": []}}, ("smoothness", "motion"), 8)["v"]) == {
        "smoothness"}


# --- the segment loss -----------------------------------------------------------------------------------------------

def test_equal_frame_scores_cost_ln2():
    loss, m = segment_rank_loss(torch.zeros(2, 5, dtype=torch.float64), t([1, 1, 0, 0, 0], [0, 0, 0, 1, 0]).view(2, 5))
    assert loss.item() == pytest.approx(math.log(2))
    assert m["videos"] == 2


def test_a_marked_frame_scoring_ln3_below_the_unmarked_one_costs_ln_4_over_3():
    # softplus(s_in - s_out) = log(1 + e^{-ln 3}) = log(4/3); ordered right
    loss, m = segment_rank_loss(t(0.0, math.log(3)).view(1, 2), t(1, 0).view(1, 2))
    assert loss.item() == pytest.approx(math.log(4 / 3))
    assert m["accuracy"].item() == 1.0


def test_soft_marks_weight_each_frame_pair_by_the_difference_in_marked_share():
    a, b, c = 0.3, -0.2, 1.1
    sp = lambda x: math.log1p(math.exp(x))  # noqa: E731
    expected = (0.5 * sp(a - b) + 1.0 * sp(a - c) + 0.5 * sp(b - c)) / 2.0
    loss, _ = segment_rank_loss(t(a, b, c).view(1, 3), t(1.0, 0.5, 0.0).view(1, 3))
    assert loss.item() == pytest.approx(expected)


def test_videos_marked_everywhere_or_nowhere_carry_no_contrast_and_are_left_out():
    scores = torch.tensor([[0.0, 2.0], [5.0, -5.0], [1.0, 1.0]], requires_grad=True)
    loss, m = segment_rank_loss(scores, torch.tensor([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]))
    assert m["videos"] == 1 and loss.item() == pytest.approx(math.log(2))
    loss.backward()
    assert scores.grad[:2].abs().sum() == 0
    none, m = segment_rank_loss(scores[:2], torch.tensor([[1.0, 1.0], [0.0, 0.0]]))
    assert none.item() == 0.0 and m["videos"] == 0


def test_frames_outside_valid_do_not_count():
    loss, _ = segment_rank_loss(t(0.0, math.log(3), -7.0).view(1, 3), t(1, 0, 0).view(1, 3),
                                valid=torch.tensor([[True, True, False]]))
    assert loss.item() == pytest.approx(math.log(4 / 3))
    with pytest.raises(ValueError, match="scores and marked must both be"):
        segment_rank_loss(torch.zeros(3), torch.zeros(3))


# --- config, model, checkpoints ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"frame_dimensions": ("appeal",)}, "frame_dimensions=\\['appeal'\\]: unique temporal dimensions"),
    ({"frame_dimensions": ("motion", "motion")}, "unique temporal dimensions"),
    ({"dimensions": ("smoothness",), "frame_dimensions": ("motion",)}, "that are also scored"),
    ({"segment_loss_weight": 1.0}, "segment_loss_weight > 0 needs a per-frame head"),
    ({"segment_loss_weight": -0.5, **FRAMES}, "segment_loss_weight must be a number in \\[0, 1000\\)"),
    ({"segment_loss_weight": True, **FRAMES}, "segment_loss_weight must be a number"),
    ({"segment_loss_weight": 1.0, "loss": "mse", **FRAMES}, "trains beside a pairwise loss"),
    ({"frame_dimensions": ("smoothness",), "segment_dimensions": ("motion",)}, "segment_dimensions has \\['motion'\\]"),
])
def test_frame_head_settings_are_validated_up_front(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RewardConfig(**kwargs)


def test_segment_dimensions_default_to_every_frame_dimension_and_limit_the_marks_trained_on(demo_dir, frame_prepared):
    assert tiny(**FRAMES).segment_dimensions == FRAME_DIMENSIONS
    pairs = demo_pairset(demo_dir, test_fraction=0.0, spans=True)
    trainer = RewardTrainer(tiny(**FRAMES, segment_loss_weight=1.0, segment_dimensions=("character",)), pairs,
                            prepared=frame_prepared)
    assert trainer.marks and all(set(m) == {"character"} for m in trainer.marks.values())


def test_configs_saved_before_issue_22_load_without_frame_heads(tmp_path):
    tiny(**FRAMES, segment_loss_weight=2).save(tmp_path / "new.json")
    saved = json.loads((tmp_path / "new.json").read_text())
    assert saved["frame_dimensions"] == list(FRAME_DIMENSIONS) and saved["segment_loss_weight"] == 2.0
    for key in ("frame_dimensions", "segment_loss_weight", "segment_dimensions"):
        del saved[key]
    (tmp_path / "old.json").write_text(json.dumps(saved))
    old = RewardConfig.load(tmp_path / "old.json")
    assert old.frame_dimensions == () and old.segment_loss_weight == 0.0
    assert not any(k.startswith(("frame_heads", "fr_")) for k in AnimeRewardModel(old).state_dict())


def test_an_old_checkpoint_loads_and_scores_exactly_as_before(demo_pairs, tiny_prepared, tmp_path):
    reward = AnimeReward(tiny())
    items = [tiny_prepared[k] for k in list(tiny_prepared)[:3]]
    reward.save(tmp_path / "ckpt")
    config = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    for key in ("frame_dimensions", "segment_loss_weight", "segment_dimensions"):
        del config[key]
    (tmp_path / "ckpt" / "config.json").write_text(json.dumps(config))
    loaded = AnimeReward.from_checkpoint(tmp_path / "ckpt")
    assert loaded.config.frame_dimensions == ()
    assert loaded.combine(loaded.logits(items)) == reward.combine(reward.logits(items))
    with pytest.raises(ValueError, match="no per-frame heads"):
        loaded.score_curve(["never-read.mp4"], ["p"])


@pytest.fixture(scope="module")
def frame_prepared(demo_pairs):
    return prepare_all(demo_pairs, tiny(**FRAMES))


def test_the_curve_has_one_score_per_sampled_frame_and_averages_to_the_video_logit(demo_pairs, frame_prepared):
    config = tiny(**FRAMES)
    model = AnimeRewardModel(config)
    items = [frame_prepared[k] for k in list(frame_prepared)[:3]]
    assert items[0]["frame_features"].shape == (config.num_frames, len(FRAME_FEATURE_NAMES))
    from training.reward.inputs import collate
    with torch.no_grad():
        logits, curves = model(collate(items), with_curves=True)
    assert set(curves) == set(FRAME_DIMENSIONS)
    assert all(c.shape == (3, config.num_frames) for c in curves.values())
    reward = AnimeReward(config, model)
    out = reward.curves(items)
    assert len(out) == 3 and len(out[0]["positions"]) == config.num_frames
    assert out[0]["positions"][0] == 0.0 and out[0]["positions"][-1] == 1.0
    for row, i in zip(out, range(3)):
        for d in FRAME_DIMENSIONS:
            points = torch.logit(torch.tensor(row["curves"][d], dtype=torch.float64))
            if d == "motion":
                continue  # gated by measured motion; the others are plain sigmoids of the logits
            assert points.mean().item() == pytest.approx(float(logits[d][i]), abs=1e-4)


def test_a_fresh_frame_head_barely_moves_the_video_scores(frame_prepared):
    items = [frame_prepared[k] for k in list(frame_prepared)[:4]]
    plain, framed = AnimeReward(tiny()), AnimeReward(tiny(**FRAMES))
    a, b = plain.combine(plain.logits(items)), framed.combine(framed.logits(items))
    assert max(abs(x[d] - y[d]) for x, y in zip(a, b) for d in FRAME_DIMENSIONS) < 0.02


def test_two_steps_with_segment_supervision_train_the_frame_heads_and_round_trip(demo_dir, frame_prepared, tmp_path):
    pairs = demo_pairset(demo_dir, test_fraction=0.0, spans=True)
    config = tiny(**FRAMES, segment_loss_weight=1.0, output_dir=str(tmp_path))
    seen = []
    trainer = RewardTrainer(config, pairs, prepared=frame_prepared, callback=seen.append)
    before = {n: p.detach().clone() for n, p in trainer.unwrapped().named_parameters() if n.startswith("frame_heads")}
    trainer.train()
    after = dict(trainer.unwrapped().named_parameters())
    assert all(not torch.equal(after[n].detach(), v) for n, v in before.items() if n.endswith("weight"))
    assert any(k.endswith("/segment_loss") for m in seen for k in m)
    loaded = AnimeReward.from_checkpoint(tmp_path / "step-2")
    items = [frame_prepared[k] for k in list(frame_prepared)[:2]]
    assert loaded.curves(items) == AnimeReward(config, trainer.unwrapped()).curves(items)
    with pytest.raises(ValueError, match="cannot resume"):
        RewardTrainer(tiny(steps=3, output_dir=str(tmp_path)), pairs, prepared=frame_prepared)


def test_segment_supervision_moves_the_curve_down_inside_the_marked_frames(demo_dir, frame_prepared):
    pairs = demo_pairset(demo_dir, test_fraction=0.0, spans=True)
    config = tiny(**FRAMES, segment_loss_weight=5.0, steps=40, monotone_features=False)
    trainer = RewardTrainer(config, pairs, prepared=frame_prepared)
    marks = trainer.marks

    def accuracy():
        right = total = 0.0
        reward = AnimeReward(config, trainer.unwrapped())
        keys = [k for k in marks if "character" in marks[k]]
        for key, row in zip(keys, reward.curves([frame_prepared[k] for k in keys])):
            curve, marked = torch.tensor([row["curves"]["character"]]), torch.tensor(marks[key]["character"])[None]
            valid = torch.ones_like(marked, dtype=torch.bool)
            valid[:, 0] = False
            _, m = segment_rank_loss(curve, marked, valid)
            if m["videos"]:
                right, total = right + float(m["accuracy"]), total + 1
        return right / total

    start = accuracy()
    trainer.train()
    end = accuracy()
    print(start, end)
    assert end > max(start, 0.6)


# --- data ------------------------------------------------------------------------------------------------------------

def test_the_demo_pair_set_carries_simulated_spans_and_the_same_judgments(demo_dir):
    plain, spanned = demo_pairset(demo_dir, test_fraction=0.0), demo_pairset(demo_dir, test_fraction=0.0, spans=True)
    assert [p.strength for p in plain.pairs] == [p.strength for p in spanned.pairs]
    assert plain.segments == {} and plain.version != spanned.version
    marks = [m for per_dim in spanned.segments.values() for ms in per_dim.values() for m in ms]
    assert marks and all(0 <= m.start <= m.end < m.frame_count == 24 for m in marks)
    assert set().union(*(per_dim.keys() for per_dim in spanned.segments.values())) == set(FRAME_DIMENSIONS)


def _write(folder, table, rows):
    path = folder / "data" / table / "train-00000-of-00001.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def test_the_export_segments_table_becomes_spans_and_exports_without_it_still_load(tmp_path):
    _write(tmp_path, "videos", [{"video_id": 10, "prompt_id": 1, "generator": "g", "file": "a.mp4", "split": "train"},
                                {"video_id": 11, "prompt_id": 1, "generator": "h", "file": "b.mp4", "split": "train"}])
    common = {"prompt_id": 1, "video_a_id": 10, "video_b_id": 11, "split": "train", "dimension": "motion",
              "mean_strength": 1.0, "direction": "b", "gap": 0.5}
    _write(tmp_path, "consensus", [{**common, "pair_id": 5, "is_gold": False},
                                   {**common, "pair_id": 6, "is_gold": True}])
    assert load_dataset_version(tmp_path).segments == {}
    span = {"campaign_id": 1, "severity": None, "note": "", "fps": 12.0, "split": "train"}
    _write(tmp_path, "segments", [
        {**span, "segment_id": 1, "pair_id": 5, "video_id": 11, "annotator": "a1", "dimension": "smoothness",
         "start_frame": 3, "end_frame": 9, "frame_count": 48},
        {**span, "segment_id": 2, "pair_id": 5, "video_id": 11, "annotator": "a2", "dimension": "smoothness",
         "start_frame": 5, "end_frame": 6, "frame_count": 48},
        {**span, "segment_id": 3, "pair_id": 6, "video_id": 10, "annotator": "a1", "dimension": "motion",
         "start_frame": 0, "end_frame": 2, "frame_count": 48}])
    loaded = load_dataset_version(tmp_path)
    assert loaded.segments == {"11": {"smoothness": [SpanMark(3, 9, 48, "a1"), SpanMark(5, 6, 48, "a2")]}}
    assert loaded.split("train").segments == loaded.segments


def test_formula_curves_read_a_held_frame_as_unsmooth_and_still(demo_pairs):
    from demo import GeneratorProfile, demo_prompts, frame_severities, render_clip

    prompt, stutter = demo_prompts(3, 0)[0], GeneratorProfile("s", stutter=0.6)
    frames, _ = render_clip(prompt, stutter, 0, width=128, height=72, num_frames=24)
    held = frame_severities(prompt, stutter, 0, num_frames=24)["smoothness"] > 0
    curves = formula_curves(frame_features(frames))
    assert held.sum() >= 3
    assert curves["motion"][held].mean() < curves["motion"][~held][1:].mean()
