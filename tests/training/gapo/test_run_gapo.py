"""training/gapo/run.run_gapo: the job-runner entry point reports every step, stops on request and resumes."""

import json

from training.gapo.config import GapoConfig
from training.gapo.data import synthetic_pairs, write_pairs
from training.gapo.models import build_denoiser


def test_a_stopped_run_resumes_from_its_checkpoint_to_the_configured_steps(tmp_path):
    from training.gapo.run import run_gapo

    config = GapoConfig(family="cogvideox", lora_rank=2, lora_alpha=2, steps=3, device="cpu")
    write_pairs(tmp_path / "pairs", synthetic_pairs(build_denoiser(config), 3, seed=2))
    seen = []
    first = run_gapo(config, pairs_dir=tmp_path / "pairs", out_dir=tmp_path / "run", on_step=seen.append,
                     should_stop=lambda: len(seen) >= 1)
    assert first["status"] == "stopped" and first["step"] == 1
    assert first["checkpoint"].endswith("step-000001")
    assert set(seen[0]) >= {"step", "loss", "implicit_acc", "mean_gap"}

    second = run_gapo(config, pairs_dir=tmp_path / "pairs", out_dir=tmp_path / "run", on_step=seen.append)
    assert second["status"] == "completed" and second["resumed_at_step"] == 1 and second["step"] == 3
    assert second["checkpoint"].endswith("step-000003") and second["steps_this_call"] == 2
    steps = [json.loads(line)["step"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3] and [r["step"] for r in seen] == [1, 2, 3]

    third = run_gapo(config, pairs_dir=tmp_path / "pairs", out_dir=tmp_path / "run")
    assert third["steps_this_call"] == 0 and third["step"] == 3  # already done: nothing trains
