"""`torchrun -m training.reward train` on two CPU processes (gloo): the documented multi-GPU launch, minus the
GPUs. Every scorer has towers a dimension does not use, each process draws its own pairs, and one process
writes the checkpoint."""

import os
import subprocess
import sys
from pathlib import Path

from training.reward import AnimeReward

REPO = Path(__file__).resolve().parents[3]


def test_two_processes_train_and_write_one_loadable_checkpoint(demo_dir, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
         "-m", "training.reward", "train", "--demo", str(demo_dir), "--preset", "tiny", "--steps", "3",
         "--batch-size", "2", "--device", "cpu", "--output-dir", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("saved ") == 1 and done.stdout.count('"step": 3') == 1  # rank 0 reports alone
    assert sorted(p.name for p in out.iterdir()) == ["step-3"]
    scores = AnimeReward.from_checkpoint(out / "step-3").score([sorted((demo_dir / "videos").glob("*.mp4"))[0]],
                                                               ["a girl waves"])
    assert 0 <= scores[0]["overall"] <= 1
