"""training/gapo/decisive_video(_world) + benchmarks/gapo_decisive_video.py: the true reward, the labelled pairs,
and the whole comparison end to end on tiny settings (seconds)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from demo import GENERATORS, demo_prompts
from training.gapo import decisive_video as v
from training.gapo import decisive_video_world as vw
from training.gapo.decisive import METHODS

ROOT = Path(__file__).resolve().parents[3]


def _render(profile, size=32, frames=4):
    return vw.render(demo_prompts(1, vw.TEST_SET)[0], profile, 0, size, frames)


def test_the_true_reward_is_one_for_the_clean_rendering_and_lower_for_every_artefact_and_for_standing_still():
    clean = _render(vw.CLEAN)
    frozen = np.repeat(clean[:1], len(clean), axis=0)
    videos = np.stack([clean, frozen, *[_render(g) for g in GENERATORS]])
    refs = np.repeat(clean[None], len(videos), axis=0)
    l1 = vw.clean_l1(videos, refs)
    assert l1[0] == 0.0 and (l1[1:] > 0.001).all()
    reward = vw.fidelity_reward(videos, refs, np.full(len(videos), l1[1:].mean()), 0.01)
    assert reward[0] > 0.99 and (reward[1:] < reward[0]).all() and ((reward > 0) & (reward < 1)).all()
    assert vw.fidelity_reward(videos[:1], refs[:1], np.array([0.0]), 0.01)[0] == pytest.approx(0.5)
    motion = vw.motion_magnitude(videos)
    assert motion[1] == 0.0 and motion[0] > 0.005, "a frozen clip has no motion, the clean one does"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return v.build_world(v.tiny_settings(), tmp_path_factory.mktemp("generator"), log=lambda line: None)


def test_candidates_are_k_base_samples_per_training_prompt(world):
    cands = v.candidates(world, world.denoiser(seed=0), seed=0)
    k, prompts, g = world.settings.k, world.settings.train_prompts, world.settings.generator
    assert cands.latents.shape == (k * prompts, 3, g.frames, g.size, g.size)
    assert cands.videos.shape == (k * prompts, g.frames, g.size, g.size, 3) and cands.truth.shape == (k * prompts,)


def test_pairs_are_ordered_within_a_prompt_and_exact_labels_are_never_wrong(world):
    k, prompts = world.settings.k, world.settings.train_prompts
    truth = np.linspace(0.2, 0.8, k * prompts)[np.random.default_rng(0).permutation(k * prompts)]
    latents = torch.arange(k * prompts, dtype=torch.float32)[:, None]  # row i carries its own index
    cands = v.Candidates(latents, np.zeros((k * prompts, 1, 1, 1, 3), np.uint8), truth)
    exact = v.label_pairs(world, cands, 0.0, seed=0)
    assert len(exact.records) == prompts * k * (k - 1) // 2
    assert (exact.s_w > exact.s_l).all() and not exact.wrong.any()
    for record in exact.records:
        w, l_ = int(record["x_w"]), int(record["x_l"])
        assert w // k == l_ // k, "both videos of a pair answer the same prompt"
        assert truth[w] > truth[l_] and torch.equal(record["image_latents"], world.train.items[w // k].image_latents)
    noisy = [v.label_pairs(world, cands, 0.3, seed=s) for s in range(8)]
    assert any(p.wrong.any() for p in noisy), "annotator noise orders some pairs wrong"


def test_the_video_comparison_runs_end_to_end_and_produces_the_table_fields(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("gapo_decisive_video", None)
    from benchmarks import gapo_decisive_video as bench

    out = tmp_path / "report"
    bench.main(["--smoke", "--gpu", "--device", "cpu", "--cache", str(tmp_path / "cache"), "--out", str(out)])
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["settings"]["device"] == "cpu" and record["settings"]["steps"] == 1
    (summary,) = record["summaries"]
    assert set(summary["rows"]) == set(METHODS)
    for row in summary["rows"].values():
        assert {"lr", "final", "final_sd", "diff", "ci", "wins", "reach", "start", "motion"} <= set(row)
        assert 0 < row["final"] <= 1 and row["motion"] >= 0
    (level,) = record["levels"]
    assert [r["step"] for r in level["curves"]["GAPO pow2"][0]] == [0, 1]
    table = out.with_suffix(".md").read_text()
    assert "synthetic: demo renderer" in table and "| motion |" in table and "Verdict: sigma 0.1" in table
    assert all(f"| {m} |" in table for m in METHODS)


def test_a_one_step_smoke_writes_nothing_over_the_recorded_results(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import gapo_decisive_video as bench

    args = bench.parse_args(["--smoke", "--cache", str(tmp_path)])
    assert Path(args.out).parent == tmp_path / "smoke"
    gpu = bench.parse_args(["--gpu", "--steps", "7"])
    assert gpu.settings.device == "cuda" and gpu.settings.steps == 7 and len(gpu.test_seeds) >= 10


def test_runs_that_differ_only_in_test_seeds_merge_into_one_table(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import gapo_decisive_video as bench

    for name in ("a", "b"):
        bench.main(["--smoke", "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / name)])
    bench.merge_runs([str(tmp_path / "a.json"), str(tmp_path / "b.json")], tmp_path / "merged")
    record = json.loads((tmp_path / "merged.json").read_text())
    assert len(record["args"]["test_seeds"]) == 4 and len(record["levels"][0]["curves"]["Diffusion-DPO"]) == 4
    assert "/4 |" in (tmp_path / "merged.md").read_text(), "wins are counted over the pooled seeds"


def test_runs_that_split_the_noise_levels_merge_into_one_table_with_both_levels(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import gapo_decisive_video as bench

    bench.main(["--smoke", "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "low")])
    other = json.loads((tmp_path / "low.json").read_text())  # the same run at another level (smoke has one)
    other["levels"][0]["sigma"] = other["args"]["sigmas"][0] = 0.0
    (tmp_path / "none.json").write_text(json.dumps(other))
    bench.merge_runs([str(tmp_path / "low.json"), str(tmp_path / "none.json")], tmp_path / "merged")
    record = json.loads((tmp_path / "merged.json").read_text())
    assert [lv["sigma"] for lv in record["levels"]] == [0.1, 0.0]
    seeds = len(record["args"]["test_seeds"])
    assert seeds == len(record["levels"][1]["curves"]["Diffusion-DPO"]) == len(other["args"]["test_seeds"])
    assert "Verdict: sigma 0.1" in (tmp_path / "merged.md").read_text()


def test_candidates_carry_simulated_span_marks_and_pairs_hand_them_to_dense_gapo(world):
    cands = v.candidates(world, world.denoiser(seed=0), seed=0)
    n, frames = len(cands.truth), world.settings.generator.frames
    assert cands.marks.shape == (n, frames) and cands.worse.shape == (n, frames)
    assert ((cands.marks >= 0) & (cands.marks <= 1)).all() and (cands.marks[:, 0] == 0).all()
    assert torch.equal(v.candidates(world, world.denoiser(seed=0), seed=0).marks, cands.marks), "deterministic"
    pairs = v.label_pairs(world, cands, 0.3, seed=0)
    assert all(r["marks_w"].shape == (frames,) and r["marks_l"].shape == (frames,) for r in pairs.records)


def test_the_dense_comparison_reports_dense_minus_plain_paired_by_seed(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import gapo_decisive_video as bench

    out = tmp_path / "dense"
    bench.main(["--smoke", "--cache", str(tmp_path / "cache"), "--out", str(out),
                "--methods", "Diffusion-DPO", "GAPO pow2", "GAPO pow2 dense"])
    record = json.loads(out.with_suffix(".json").read_text())
    assert set(record["summaries"][0]["rows"]) == {"Diffusion-DPO", "GAPO pow2", "GAPO pow2 dense"}
    assert len(record["levels"][0]["marks"]) == 2, "span statistics per test seed"
    table = out.with_suffix(".md").read_text()
    assert "GAPO pow2 dense minus GAPO pow2:" in table and "Simulated spans" in table
