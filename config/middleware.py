"""Content-Security-Policy header (Django 5.2 has no built-in CSP).

The policy string is built once in settings (`CONTENT_SECURITY_POLICY`, from `CSP_POLICY` or the
defaults plus the S3 endpoint and `CSP_EXTRA_ORIGINS`); this middleware only attaches it. Responses
that already carry the header (a view that needs its own policy) are left alone.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def origin_of(url: str | None) -> str | None:
    """`https://minio.example.com:9000/bucket?x` -> `https://minio.example.com:9000` (None if not a URL)."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def build_policy(*, media_origins: list[str], connect_origins: list[str] | None = None) -> str:
    """The default policy: everything from our own origin, media (videos, posters, thumbnail strips)
    also from the object store, and blob: for the videos the labelling page preloads with fetch().
    Inline styles stay allowed (server-rendered pages carry a small <style> block); inline scripts
    do not (the labelling/review pages are ES modules from /static/, and json_script data is inert)."""
    media = " ".join(dict.fromkeys(media_origins))
    connect = " ".join(dict.fromkeys(connect_origins if connect_origins is not None else media_origins))
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {media}".rstrip(),
        f"media-src 'self' blob: {media}".rstrip(),
        f"connect-src 'self' {connect}".rstrip(),
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "") or ""
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response and self.header not in response:
            response[self.header] = self.policy
        return response
