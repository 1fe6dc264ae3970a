"""The import's row problems in the reader's language, for display only.

The manifest parser and the import service (annotation/manifests.py, annotation/services/imports.py,
annotation/services/import_bundles.py) word every row problem in English: the CLI prints that, and
`errors_grouped` groups rows on it (its `cause` blanks quoted paths and numbers, which a translation
would move or re-quote). So the API translates only what a person reads — each error's `message`,
each group's `example` and the rejection's `detail` — after grouping, and `cause` stays the English
key. A message is matched against the English templates below, its parts (paths, numbers, field
lists) are taken out, and the active language's entry (locale/) is formatted with them. A message
no template matches (a video rejected by the media checks, say) is shown in English.
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import gettext, gettext_noop

# Each names its parts; the catalog's translations use the same names. {raw} is the path as the
# manifest wrote it, quoted the way Python prints it.
ROW_TEMPLATES = (
    gettext_noop("not valid JSON: {reason}"),
    gettext_noop("each line must be a JSON object"),
    gettext_noop("CSV header lacks columns: {columns}"),
    gettext_noop("manifest exceeds {max_rows} rows; split it"),
    gettext_noop("unknown fields: {fields}"),
    gettext_noop("is required and must be a non-empty string"),
    gettext_noop("is longer than {limit} characters"),
    gettext_noop("must be a whole number (an integer without a decimal point or exponent) that fits in 64 bits"),
    gettext_noop("must be a string of at most {limit} characters"),
    gettext_noop("is empty"),
    gettext_noop("contains a NUL byte"),
    gettext_noop("{raw} is outside the allowed import folders ({allowed}); set IMPORT_ROOTS to allow it"),
    gettext_noop("{raw} is outside the allowed import folders ({allowed}); add its folder to IMPORT_ROOTS "
                 "(a comma-separated list of folders) to allow it"),
    gettext_noop("{raw} does not exist or is not a file"),
    gettext_noop("{raw} is not among the uploaded files; add it to the files or fix the manifest entry"),
    gettext_noop("is not a regular file"),
    gettext_noop("is {size} pixels; at most {limit} pixels (4096x4096) are accepted. Downscale it."),
    gettext_noop("is not a readable PNG, JPEG or WebP image ({kind})"),
    gettext_noop("same file content as line {line}"),
    gettext_noop("this video was already imported (same sha256)"),
    gettext_noop("{count} problem(s) in the manifest; nothing was imported. Fix the rows listed in 'errors'."),
)
_PART = re.compile(r"\\\{(\w+)\\\}")


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(_PART.sub(r"(?P<\1>.+?)", re.escape(t)), re.S), t) for t in ROW_TEMPLATES)


def import_message_display(message: str) -> str:
    """`message` (English, as the import worded it) in the active language; as is when unknown."""
    for pattern, template in _patterns():
        match = pattern.fullmatch(message)
        if match:
            return gettext(template).format(**match.groupdict())
    return message


def import_report_display(data: dict) -> dict:
    """A copy of an import report or rejection (`errors`, `error_groups`, `detail`) for display:
    messages translated, lines, fields and each group's `cause` unchanged."""
    shown = dict(data)
    if "errors" in data:
        shown["errors"] = [{**e, "message": import_message_display(e["message"])} for e in data["errors"]]
    if "error_groups" in data:
        shown["error_groups"] = [{**g, "example": import_message_display(g["example"])} for g in data["error_groups"]]
    if isinstance(data.get("detail"), str):
        shown["detail"] = import_message_display(data["detail"])
    return shown
