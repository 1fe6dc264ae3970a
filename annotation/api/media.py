"""Serves stored media to signed-in users with HTTP Range support, which browsers need to
seek in <video>. Production puts media on S3-compatible storage with signed URLs instead.

Who gets what (blind labelling): every studio role may fetch the browser files (renditions,
posters, thumbnail strips, named after a random per-video token) and prompt images; everything
else, originals above all, is for admins only, as a download. The Content-Type comes from a fixed
table of the suffixes the importers store (the detected format, never the source's name), so no
response is ever HTML, JavaScript or SVG; every response says nosniff and carries a
Content-Disposition."""
from __future__ import annotations

import os
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from studio_platform.roles import ADMIN, user_has_role, user_roles

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024
# Top-level folders any studio role may read (annotators need them to label); all others are admin-only.
SHOWN_FOLDERS = frozenset({"renditions", "posters", "strips", "initial"})
# Suffixes the media pipeline and importers store, from the detected format. Anything else is a
# download of unknown bytes.
CONTENT_TYPES = {
    ".mp4": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska", ".avi": "video/x-msvideo",
    ".gif": "image/gif", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
}
OCTET_STREAM = "application/octet-stream"


def _media_headers(response, *, name: str, inline: bool) -> None:
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(name)) or "file"
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser still render a file as a document, it gets no scripts and no origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=86400, immutable"


def _iter_range(path: str, start: int, length: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


@require_GET
@login_required
def media_file(request, path: str):
    if not user_roles(request.user):
        # Signed in but holding no studio role: no media, however the name was learnt.
        raise Http404("no such file")
    try:
        full_path = default_storage.path(path)
    except (SuspiciousFileOperation, NotImplementedError) as exc:
        raise Http404("no such file") from exc
    # The folder of the resolved name: "renditions/../videos/..." is an original.
    name = os.path.relpath(full_path, os.path.abspath(default_storage.location)).replace(os.sep, "/")
    shown = name.split("/", 1)[0] in SHOWN_FOLDERS
    if not shown and not user_has_role(request.user, ADMIN):
        raise Http404("no such file")  # originals and other files: not even their existence
    if not os.path.isfile(full_path):
        raise Http404("no such file")
    size = os.path.getsize(full_path)
    content_type = CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), OCTET_STREAM)
    inline = shown and content_type != OCTET_STREAM
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match:
        response = FileResponse(open(full_path, "rb"), content_type=content_type)
        _media_headers(response, name=name, inline=inline)
        return response
    first, last = match.groups()
    if first == "":
        start = max(0, size - int(last or 0))
        end = size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response

    response = StreamingHttpResponse(_iter_range(full_path, start, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    _media_headers(response, name=name, inline=inline)
    return response
