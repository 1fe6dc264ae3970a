"""A reward run's training on several GPUs of the worker's host: ``torchrun -m training.reward train`` as a
child process group, its per-step JSON lines fed to the run's reporter.

The worker process stays the run's owner (heartbeat, fencing, cancel): each reported step goes through
``on_step`` (checkpoint sync + RunReporter.on_step), and anything that stops the run there (cancel, a
lost attempt) kills the whole process group before it propagates. The trainer resumes by itself from
the latest ``step-N`` under ``config.output_dir``, so a re-queued run continues where it stopped.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from training.runs.errors import RunFailure

STDERR_TAIL = 4000


def training_command(config_path: Path, output_dir: str, dataset: Path, media_root: Path, processes: int) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(processes),
            "-m", "training.reward", "train", "--data", str(dataset), "--media-root", str(media_root),
            "--config", str(config_path), "--output-dir", output_dir]


# torchrun gives each process OMP_NUM_THREADS=1 unless the worker's environment sets it.
def train_in_processes(config, dataset: Path, media_root: Path, processes: int, folder: Path,
                       on_step: Callable[[dict], None], reporter) -> int:
    """Train ``config`` (a RewardConfig with output_dir set) on ``processes`` processes; returns the last step."""
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "reward_config.json"
    config.save(config_path)
    last = 0
    with tempfile.TemporaryFile(mode="w+") as stderr:
        child = subprocess.Popen(training_command(config_path, config.output_dir, dataset, media_root, processes),
                                 stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True,
                                 preexec_fn=_die_with_parent)
        try:
            for line in child.stdout:
                if line.startswith("{"):
                    record = json.loads(line)
                    last = int(record["step"])
                    on_step(record)
                elif line.strip():
                    reporter.log(line.strip())
            code = child.wait()
        except BaseException:
            _kill(child)
            raise
        if code != 0:
            stderr.seek(0)
            raise RunFailure(f"training processes exited with {code}: {stderr.read()[-STDERR_TAIL:]}")
    if last == 0:
        last = int(config.steps)  # already complete: the trainer resumed at the last step and had nothing to do
    return last


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the worker dies (kill -9 included), so a re-queued attempt never
    shares the run's checkpoint folder with orphaned trainers; torchrun passes it on to its workers."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):  # not Linux: the stale-run re-queue still fences the old attempt out
        pass


def _kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
