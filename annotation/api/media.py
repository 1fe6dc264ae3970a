"""Serves stored media to signed-in users with HTTP Range support, which browsers need to
seek in <video>. Production puts media on S3-compatible storage with signed URLs instead."""
from __future__ import annotations

import mimetypes
import os
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from annotation.roles import user_roles

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


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
    if not os.path.isfile(full_path):
        raise Http404("no such file")
    size = os.path.getsize(full_path)
    content_type = mimetypes.guess_type(full_path)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match:
        response = FileResponse(open(full_path, "rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        response["Cache-Control"] = "private, max-age=86400, immutable"
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
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=86400, immutable"
    return response
