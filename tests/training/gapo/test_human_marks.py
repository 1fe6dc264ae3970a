"""Dense GAPO from the studio's human pairs (issue #22): the annotators' spans become per-frame marks
(training/gapo/human.py), are mapped onto the codec's latent frames by relative time and written in the pair
folder (training/gapo/studio.py), where the trainer reads them."""
from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.torch import load_file

from training.gapo.config import GapoConfig
from training.gapo.human import human_pairs
from training.gapo.job_options import JobOptions
from training.gapo.studio import HumanPairSource, StudioPrompt, latent_marks, run_studio_job, write_human_pairs

# Video 12 wins smoothness (and overall), video 11 loses; three annotators submitted the pair.
PAIR = {
    "pair_id": 7, "video_a": 11, "video_b": 12, "prompt": "p",
    "consensus": {"smoothness": {"direction": "b", "gap": 0.6}, "motion": {"direction": "b", "gap": 0.2}},
    "annotators": [1, 2, 3],
    "spans": {11: [{"annotator": 1, "dimension": "smoothness", "start_frame": 1, "end_frame": 2},
                   {"annotator": 2, "dimension": "smoothness", "start_frame": 2, "end_frame": 3},
                   {"annotator": 2, "dimension": "motion", "start_frame": 5, "end_frame": 5}],
              12: [{"annotator": 1, "dimension": "appeal", "start_frame": 0, "end_frame": 0}]},
    "frame_counts": {11: 6, 12: 4},
}
SCORES = {11: {"smoothness": 0.2, "motion": 0.3, "appeal": 0.5}, 12: {"smoothness": 0.8, "motion": 0.7, "appeal": 0.5}}


def test_marks_are_the_fraction_of_the_pairs_annotators_marking_each_frame_for_the_jobs_dimension():
    record, = human_pairs([PAIR], SCORES, dimension="smoothness").records
    assert (record["winner"], record["loser"]) == (12, 11)
    # annotator 1 marks frames 1-2, annotator 2 frames 2-3, annotator 3 nothing (still counted: they saw it)
    assert record["marks_l"] == pytest.approx([0, 1 / 3, 2 / 3, 1 / 3, 0, 0])
    assert record["marks_w"] == [0.0] * 4, "the winner's appeal span is not a smoothness mark"


def test_overall_marks_join_the_weighted_dimensions_once_per_annotator_and_leave_weight_zero_out():
    weights = {"smoothness": 1.0, "motion": 1.0, "appeal": 0.0}
    record, = human_pairs([PAIR], SCORES, dimension="overall", weights=weights).records
    assert record["marks_l"] == pytest.approx([0, 1 / 3, 2 / 3, 1 / 3, 0, 1 / 3])
    assert record["marks_w"] == [0.0] * 4, "appeal has weight 0"
    both = human_pairs([{**PAIR, "spans": {11: PAIR["spans"][11] + [
        {"annotator": 1, "dimension": "motion", "start_frame": 2, "end_frame": 2}]}}], SCORES, dimension="overall",
        weights=weights).records[0]
    assert both["marks_l"][2] == pytest.approx(2 / 3), "one annotator marking a frame twice counts once"


def test_pairs_without_spans_get_zero_marks_and_bad_spans_are_refused():
    plain = {k: v for k, v in PAIR.items() if k not in ("spans", "annotators")}
    record, = human_pairs([plain], SCORES, dimension="smoothness").records
    assert record["marks_l"] == [0.0] * 6 and record["marks_w"] == [0.0] * 4
    unknown = {k: v for k, v in plain.items() if k != "frame_counts"}
    assert human_pairs([unknown], SCORES, dimension="smoothness").records[0]["marks_l"] == []
    outside = {**PAIR, "spans": {11: [{"annotator": 1, "dimension": "smoothness", "start_frame": 4,
                                       "end_frame": 6}]}}
    with pytest.raises(ValueError, match=r"span \[4, 6\] on video 11 is not inside its 6 rendition frames"):
        human_pairs([outside], SCORES, dimension="smoothness")


def test_marks_move_to_latent_frames_by_relative_time():
    same = [0, 0.5, 1, 0, 0, 0, 0, 0.25]
    assert latent_marks(same, loaded_frames=8, codec_frames=8, temporal_ratio=1).tolist() == same
    # 48 rendition frames, 16 loaded, 8 encoded: uniform_indices(16, 8) = 0 2 4 6 9 11 13 15, times j / 15.
    # Frame 20 (20/47 = .426) falls between encoded frames; its nearest is encoded frame 3 (6/15 = .4).
    short = [0.0] * 48
    short[20] = 0.5
    assert latent_marks(short, loaded_frames=16, codec_frames=8, temporal_ratio=1).tolist() == [0, 0, 0, .5, 0, 0, 0, 0]
    # CogVideoX ratio 4: latent 0 is frame 0, latent 1 frames 1-4, latent 2 frames 5-8
    nine = [0.0] * 9
    nine[4], nine[5] = 1 / 3, 2 / 3
    assert latent_marks(nine, loaded_frames=9, codec_frames=9, temporal_ratio=4).tolist() == pytest.approx(
        [0, 1 / 3, 2 / 3])
    assert latent_marks([], loaded_frames=16, codec_frames=8, temporal_ratio=1).tolist() == [0.0] * 8


def _source(records, frames_per_video=16):
    rng = np.random.default_rng(0)
    clips = {v: rng.integers(0, 255, (frames_per_video, 20, 20, 3), dtype=np.uint8) for v in (11, 12, 13, 14)}
    prompt = StudioPrompt("p", "a girl waves", clips[11][0])
    return HumanPairSource(records, {"p": prompt}, clips.__getitem__), prompt


def _records():
    second = {**PAIR, "pair_id": 8, "video_a": 13, "video_b": 14, "spans": {}, "frame_counts": {13: 48, 14: 48}}
    scores = {**SCORES, 13: SCORES[11], 14: SCORES[12]}
    return human_pairs([PAIR, second], scores, dimension="smoothness").records


def test_the_pair_folder_carries_latent_marks_and_a_dense_studio_job_trains_on_them(tmp_path):
    from training.gapo.pixel_codec import PixelCodec

    source, prompt = _source(_records())
    stats = write_human_pairs(tmp_path / "pairs", PixelCodec(16, 8), source)
    assert stats["pairs"] == 2 and stats["marked_pairs"] == 1
    first, second = (load_file(str(tmp_path / "pairs" / f"pair-00000{i}.safetensors")) for i in (0, 1))
    assert first["marks_l"].shape == (8,) and first["marks_l"].max() > 0 and not first["marks_w"].any()
    assert not second["marks_w"].any() and not second["marks_l"].any(), "no spans: all-zero marks (plain weights)"
    meta = json.loads((tmp_path / "pairs" / "index.jsonl").read_text().splitlines()[0])["meta"]
    assert "marks_l" not in meta and meta["marked_frames_l"] == 3

    config = GapoConfig(preset="tiny", family="cogvideox", steps=2, batch_size=2, device="cpu", lora_rank=2,
                        lora_alpha=2, frame_weighting="segments", dense_beta=2.0)
    result = run_studio_job(config, train_prompts=[], eval_prompts=[prompt], human=source, out_dir=tmp_path / "job",
                            scorer=lambda videos, prompts, images: {"overall": [float(v.mean()) / 255 for v in videos]},
                            options=JobOptions(size=16, frames=8, sample_steps=1), log=lambda line: None)
    assert result["status"] == "completed" and result["train"]["step"] == 2
    assert result["pairs"]["marked_pairs"] == 1
    assert np.isfinite(result["train"]["last_metrics"]["loss"])
