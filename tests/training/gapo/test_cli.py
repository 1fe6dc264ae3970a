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
    assert (out / "checkpoints" / "step-000002" / "lora.safetensors").exists()
    main(["train", "--family", "wan", "--steps", "3", "--pairs", "3", "--lora-rank", "2",
          "--device", "cpu", "--out", str(out), "--resume"])
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3]
    assert "resumed from" in capsys.readouterr().out


def test_gapo_package_never_imports_django():
    code = "import sys, training.gapo.trainer, training.gapo.__main__; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env={"PATH": "", "HF_HUB_OFFLINE": "1"})
