"""Request body limits, applied before anything reads the body.

`RequestBodyLimitMiddleware.process_view` runs after URL resolution and before CSRF checks and
views. It refuses a declared Content-Length above the endpoint's limit with 413 (the body is never
read: under WSGI Django reads at most CONTENT_LENGTH bytes, so the declared length is a hard cap)
and a write without Content-Length (chunked) with 411, which Django would otherwise read as empty.

Only the endpoints that take files (`upload`, `import`, `import-bundle`) may spool a body to a temporary file,
and only after their admin-only permission check (the CSRF token is read from the header:
`authentication.HeaderCsrfSessionAuthentication`). Everywhere else the limit is
DATA_UPLOAD_MAX_MEMORY_SIZE and a multipart body is parsed in memory, so no request can make the
server write a temporary file.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import JsonResponse

FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and the small text fields beside a file
UPLOAD_VIEWS = ("upload", "import", "import-bundle")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

MSG_TOO_LARGE = ("The request body is {length:,} bytes; this endpoint accepts at most {limit:,}. Nothing was read "
                 "or stored{hint}.")
MSG_LENGTH_REQUIRED = "Send the body with a Content-Length header (chunked request bodies are not accepted)."
MSG_BAD_LENGTH = "The Content-Length header is not a number."


def body_limit(view_name: str) -> int:
    """Largest body, in bytes, the endpoint named `view_name` accepts."""
    if view_name == "upload":
        from annotation.services.uploads import MAX_IMAGE_BYTES

        return settings.MEDIA_MAX_FILE_BYTES + MAX_IMAGE_BYTES + FORM_OVERHEAD_BYTES
    if view_name == "import":
        from annotation.api.admin_views import MAX_MANIFEST_BYTES

        return MAX_MANIFEST_BYTES + FORM_OVERHEAD_BYTES
    if view_name == "import-bundle":
        from annotation.api.import_views import MAX_BUNDLE_BYTES

        return MAX_BUNDLE_BYTES + FORM_OVERHEAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps every uploaded file in memory; the body limit, checked first, bounds its size."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True


def _refuse(status: int, code: str, detail: str, **extra) -> JsonResponse:
    response = JsonResponse({"code": code, "detail": detail, **extra}, status=status)
    response["Connection"] = "close"  # the unread body must not be taken for the next request
    return response


class RequestBodyLimitMiddleware:
    """Per-endpoint body limits and upload handlers, before CSRF checks and views run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_name = getattr(request.resolver_match, "view_name", "") or ""
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(raw_length) if raw_length.strip() else 0
        except ValueError:
            return _refuse(400, "invalid", MSG_BAD_LENGTH)
        limit = body_limit(view_name)
        if length > limit:
            hint = " (MEDIA_MAX_FILE_BYTES sets the video limit)" if view_name == "upload" else ""
            return _refuse(413, "request_too_large", MSG_TOO_LARGE.format(length=length, limit=limit, hint=hint),
                           limit_bytes=limit)
        if (not length and request.method not in SAFE_METHODS
                and request.META.get("HTTP_TRANSFER_ENCODING", "").strip().lower() not in ("", "identity")):
            return _refuse(411, "length_required", MSG_LENGTH_REQUIRED)
        if view_name not in UPLOAD_VIEWS:
            request.upload_handlers = [InMemoryUploadHandler(request)]
        return None
