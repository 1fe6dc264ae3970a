"""training/gapo/repro: the Diffusion-DPO vs GAPO reproduction end to end at toy size, and its report maths."""

import json

import numpy as np
import pytest

from training.gapo.repro_report import steps_to_reach, summarize


def test_toy_reproduction_writes_report_plot_and_reuses_its_caches(tmp_path):
    from training.gapo.__main__ import main

    out = tmp_path / "repro"
    assert main(["reproduce", "--toy", "--seeds", "0", "1", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results["methods"]) == {"Diffusion-DPO", "GAPO"}
    for method in results["methods"].values():
        assert method["steps"] == [0, 1, 2] and len(method["mean"]) == 3
        assert set(method["per_seed_final"]) == {"0", "1"}
    # step 0 is the shared base for both methods: a fresh LoRA changes nothing
    assert results["methods"]["GAPO"]["mean"][0] == results["methods"]["Diffusion-DPO"]["mean"][0]
    assert (out / "reward_curve.png").read_bytes()[:4] == b"\x89PNG"
    report = (out / "report.md").read_text()
    assert "| step | Diffusion-DPO | GAPO |" in report and "steps GAPO needs" in report
    # same pairs for both methods of a seed; a rerun trains nothing and rebuilds nothing
    assert (out / "pairs" / "seed-0" / "index.jsonl").exists()
    stamp = (out / "runs" / "pow2-seed-1" / "curve.json").stat().st_mtime_ns
    assert main(["reproduce", "--toy", "--seeds", "0", "1", "--out", str(out)]) == 0
    assert (out / "runs" / "pow2-seed-1" / "curve.json").stat().st_mtime_ns == stamp


def test_steps_to_reach_is_the_first_evaluated_step_at_or_above_the_target():
    steps = [0, 10, 20, 30]
    assert steps_to_reach(steps, np.array([0.1, 0.3, 0.5, 0.6]), 0.5) == 20
    assert steps_to_reach(steps, np.array([0.1, 0.3, 0.5, 0.6]), 0.7) is None


def test_summary_compares_the_challenger_with_the_baseline_per_seed():
    base = {"overall": 0.5}
    runs = [
        {"method": m, "seed": s, "seconds": 1.0,
         "curve": [{"step": 10, "overall": v[0]}, {"step": 20, "overall": v[1]}],
         "train": [{"implicit_acc": 0.5}, {"implicit_acc": 1.0}]}
        for m, s, v in [("DPO", 0, (0.55, 0.60)), ("DPO", 1, (0.55, 0.62)),
                        ("GAPO", 0, (0.60, 0.66)), ("GAPO", 1, (0.58, 0.60))]
    ]
    out = summarize(runs, base, ["DPO", "GAPO"], config={"seeds": [0, 1]}, world_info={}, pairs={})
    cmp = out["comparison"]
    assert out["methods"]["DPO"]["mean"] == pytest.approx([0.5, 0.55, 0.61])
    assert cmp["paired_final_diff"] == pytest.approx([0.06, -0.02])
    assert cmp["seeds_challenger_higher"] == 1
    assert cmp["challenger_steps_to_baseline_final"] == 20  # GAPO's mean 0.59 at 10 < 0.61, 0.63 at 20
    assert cmp["baseline_steps_to_challenger_final"] is None


def test_toy_reproduction_on_demo_pairs_shares_one_ground_truth_pair_set(tmp_path):
    from training.gapo.__main__ import main

    out = tmp_path / "repro"
    assert main(["reproduce", "--toy", "--pairs", "demo", "--seeds", "0", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["config"]["pairs"] == "demo" and results["pairs"]["0"]["pairs"] > 0
    index = [json.loads(line) for line in (out / "pairs" / "demo" / "index.jsonl").read_text().splitlines()]
    assert all(r["s_w"] > r["s_l"] and r["meta"]["winner"] != "" for r in index)
