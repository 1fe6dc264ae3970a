"""``step-N`` checkpoint folders, one naming rule for reward training, GAPO training and run checkpoint sync.

A folder counts as a checkpoint of step N only when its whole name is ``step-`` followed by digits
(``step-300``, ``step-000300``); anything else under a checkpoint root (``step-300.tmp`` from an interrupted
copy, ``step-latest`` links, stray files) is ignored instead of crashing the resume. Never imports Django.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_STEP = re.compile(r"^step-(\d+)$")


def step_folder_name(step: int, digits: int = 0) -> str:
    """``step-<step>``, zero-padded to ``digits`` when given (GAPO pads to 6 so names sort)."""
    return f"step-{step:0{digits}d}" if digits else f"step-{step}"


def step_of(folder: str | Path) -> int | None:
    """N for a ``step-N`` folder name, None for any other name."""
    match = _STEP.match(Path(folder).name)
    return int(match.group(1)) if match else None


def step_folders(root: str | Path, *, containing: str | None = None) -> list[Path]:
    """The ``step-N`` folders under ``root`` in step order; with ``containing`` only those holding that file."""
    found = [(step_of(p), p) for p in Path(root).glob("step-*") if p.is_dir()]
    return [p for step, p in sorted((s, p) for s, p in found if s is not None)
            if containing is None or (p / containing).exists()]


def latest_step_folder(root: str | Path, *, containing: str | None = None) -> Path | None:
    """The ``step-N`` folder with the highest N (holding ``containing`` when given), or None."""
    folders = step_folders(root, containing=containing)
    return folders[-1] if folders else None


@contextmanager
def written_whole(folder: str | Path) -> Iterator[Path]:
    """Yield a sibling scratch folder to write ``folder``'s files into; on success it replaces ``folder`` in
    one rename. A process killed mid-save leaves only ``step-N.tmp-<pid>`` (ignored by ``step_folders``), never
    a ``step-N`` holding half an ``optimizer.pt`` that the resumed run would then fail to read."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if folder.exists():  # re-saving a step: move the old one aside first (a directory cannot replace a full one)
        retired = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(folder, retired)
        os.replace(scratch, folder)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(scratch, folder)
