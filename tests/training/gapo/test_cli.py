"""python -m training.gapo train: tiny preset end to end, then resume; the package never imports Django."""

import json
import subprocess
import sys
from pathlib import Path

from training.gapo.__main__ import main

REPO = Path(__file__).resolve().parents[3]


def test_train_then_resume_on_synthetic_pairs(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--family", "wan", "--steps", "2", "--pairs", "3", "--lora-rank", "2",
                 "--device", "cpu", "--out", str(out)]) == 0
    assert (out / "pairs" / "index.jsonl").exists()
    assert (out / "checkpoints" / "step-000002" / "pytorch_lora_weights.safetensors").exists()
    main(["train", "--family", "wan", "--steps", "3", "--pairs", "3", "--lora-rank", "2",
          "--device", "cpu", "--out", str(out), "--resume"])
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3]
    assert "resumed from" in capsys.readouterr().out


def test_gapo_package_never_imports_django():
    code = "import sys, training.gapo.trainer, training.gapo.__main__; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env={"PATH": "", "HF_HUB_OFFLINE": "1"})


def _torchrun(args, tmp_path):
    import os

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                           *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_two_processes_average_lora_gradients_and_draw_their_own_batches(tmp_path):
    rows = next(json.loads(line) for line in _torchrun(["tests/training/gapo/scripts/ddp_check.py"], tmp_path)
                .splitlines() if line.startswith("["))
    assert sorted(r["rank"] for r in rows) == [0, 1] and all(r["world"] == 2 and r["records"] == 3 for r in rows)
    assert all(r["same_lora"] and r["moved"] for r in rows)
    assert rows[0]["losses"] != rows[1]["losses"]  # different pairs and noise per process


def test_the_cli_under_torchrun_writes_pairs_metrics_and_checkpoints_once(tmp_path):
    out = tmp_path / "run"
    stdout = _torchrun(["-m", "training.gapo", "train", "--family", "wan", "--steps", "2", "--pairs", "4",
                        "--lora-rank", "2", "--device", "cpu", "--out", str(out)], tmp_path)
    assert stdout.count("step=2 ") == 1
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2]
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["step-000002"]
