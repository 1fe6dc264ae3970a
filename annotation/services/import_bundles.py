"""An import whose files come with the request (the imports page's "upload" tab): the manifest
and the files it names are staged in a fresh folder under the first import root, imported with
that folder as the base (the manifest's paths are matched by file name: a browser sends names, not
folders; the same checks and all-or-nothing rule as any import),
and the folder is removed whatever happens: stored media are content-addressed copies."""
from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from django.conf import settings

from annotation.manifests import detect_format, manifest_with_bare_names
from annotation.models import Campaign
from annotation.selectors.imports import STAGING_FOLDER
from annotation.services.imports import ImportReport, videos_import_manifest
from studio_platform.errors import ImportRejected

MAX_BUNDLE_FILES = 2000
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,200}")
MSG_BAD_NAME = ("File name {name!r} cannot be stored: use letters, digits, '.', '_', '-' and spaces, no folders. "
                "Rename it and its manifest entry.")
MSG_SAME_NAME = "Two files are named {name!r}; every uploaded file needs its own name."
MSG_NOT_UPLOADED = "{raw!r} is not among the uploaded files; add it to the files or fix the manifest entry"
MSG_TOO_MANY = "At most %d files per upload; import larger sets from a server folder." % MAX_BUNDLE_FILES


def _names_checked(files: list) -> list[str]:
    if len(files) > MAX_BUNDLE_FILES:
        raise ImportRejected(MSG_TOO_MANY)
    names, seen = [], set()
    for upload in files:
        name = Path(upload.name or "").name
        if not _SAFE_NAME.fullmatch(name) or name != upload.name:
            raise ImportRejected(MSG_BAD_NAME.format(name=upload.name))
        if name in seen:
            raise ImportRejected(MSG_SAME_NAME.format(name=name))
        seen.add(name)
        names.append(name)
    return names


def import_bundle_run(
    *, manifest_text: str, manifest_name: str, files: list, campaign: Campaign | None, on_duplicate: str,
    dry_run: bool,
) -> ImportReport:
    """Stage `files` (Django uploads) and import `manifest_text` against them; see the module doc."""
    names = _names_checked(files)
    try:
        text = manifest_with_bare_names(manifest_text, detect_format(manifest_name))
    except ValueError as exc:
        raise ImportRejected(str(exc)) from exc
    staging = Path(settings.IMPORT_ROOTS[0]) / STAGING_FOLDER / uuid.uuid4().hex
    staging.mkdir(parents=True)
    try:
        for name, upload in zip(names, files):
            with (staging / name).open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        return videos_import_manifest(text=text, manifest_name=manifest_name, base_dir=staging, campaign=campaign,
                                      on_duplicate=on_duplicate, dry_run=dry_run, missing_file=MSG_NOT_UPLOADED)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
