"""Files a run wrote, resolved safely: only below RUNS_ROOT/<run>/, no traversal, no links out."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from django.conf import settings


# Only what a run writes for people to look at; checkpoints and configs stay private.
PUBLIC_FOLDERS = ("gapo/eval/",)


def run_file_path(run_id: int, relative: str, *, allowed_suffixes: set[str]) -> Path | None:
    """The file, or None if the path is unsafe, outside PUBLIC_FOLDERS, of a type not served, or missing."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    if not relative.startswith(PUBLIC_FOLDERS):
        return None
    parts = PurePosixPath(relative).parts
    if PurePosixPath(relative).is_absolute() or any(p in ("..", ".") for p in parts):
        return None
    root = (Path(settings.RUNS_ROOT) / str(run_id)).resolve()
    target = (root / relative).resolve()
    if root not in target.parents or target.suffix not in allowed_suffixes or not target.is_file():
        return None
    return target
