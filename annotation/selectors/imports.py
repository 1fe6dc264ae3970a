"""Reads for the imports page: the server folders an admin may import from, and how far the media
pipeline got with the videos of an import."""
from __future__ import annotations

import os
from pathlib import Path

from django.db.models import Count

from annotation.models import Video, VideoStatus

MANIFEST_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")
MAX_FOLDERS = 200
MAX_DEPTH = 3
MAX_FAILURES_LISTED = 100
STAGING_FOLDER = ".browser-uploads"  # under the first import root; hidden from the folder list


def import_folders(*, roots: list[Path]) -> list[dict]:
    """Folders under the import roots (at most MAX_DEPTH deep, hidden ones skipped) that hold a
    manifest, with the manifests' names: what the imports page offers to pick."""
    found: list[dict] = []
    for root in roots:
        if not root.is_dir():
            continue
        for folder, subfolders, files in os.walk(root, followlinks=False):
            here = Path(folder)
            depth = len(here.relative_to(root).parts)
            subfolders[:] = sorted(d for d in subfolders if not d.startswith(".")) if depth < MAX_DEPTH else []
            manifests = sorted(f for f in files if f.lower().endswith(MANIFEST_SUFFIXES) and not f.startswith("."))
            if manifests:
                found.append({"root": str(root), "path": str(here), "relative": str(here.relative_to(root)),
                              "manifests": manifests[:20]})
            if len(found) >= MAX_FOLDERS:
                return found
    return found


def import_progress(*, video_ids: list[int]) -> dict:
    """Counts of the videos by processing state, and why the failed ones failed (source file name,
    stable code, message)."""
    counts = dict(Video.objects.filter(pk__in=video_ids).order_by().values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    failures = list(Video.objects.filter(pk__in=video_ids, status=VideoStatus.FAILED).order_by("id")
                    .values("id", "source_name", "failure_code", "failure_reason")[:MAX_FAILURES_LISTED])
    return {
        "total": sum(counts.values()),
        "pending": counts.get(VideoStatus.PENDING, 0),
        "ready": counts.get(VideoStatus.READY, 0),
        "failed": counts.get(VideoStatus.FAILED, 0),
        "failures": [{"video": f["id"], "source_name": f["source_name"], "code": f["failure_code"],
                      "reason": f["failure_reason"]} for f in failures],
    }
