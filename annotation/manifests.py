"""Parsing and validating import manifests (JSONL or CSV). No ORM here: the import service
writes only after every row passed."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

REQUIRED_FIELDS = ("prompt", "initial_image", "video", "generator")
OPTIONAL_FIELDS = ("seed", "action_label", "prompt_key", "split_key")
ALL_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
MAX_TEXT = 4000
MAX_SEED_DIGITS = 19  # 2**63 has 19 digits
_SEED_TEXT = re.compile(rf"-?[0-9]{{1,{MAX_SEED_DIGITS}}}")
MSG_SEED = "must be a whole number (an integer without a decimal point or exponent) that fits in 64 bits"
MSG_OUTSIDE_ROOTS = ("{raw!r} is outside the allowed import folders ({allowed}); add its folder to IMPORT_ROOTS "
                     "(a comma-separated list of folders) to allow it")
# A server import names paths; an upload names files sent with it (annotation/services/import_bundles.py).
MSG_MISSING_FILE = "{raw!r} does not exist or is not a file"


@dataclass(frozen=True)
class ManifestRow:
    line: int
    prompt: str
    initial_image: Path
    video: Path
    generator: str
    seed: int | None
    action_label: str
    prompt_key: str
    split_key: str


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


def manifest_with_bare_names(text: str, fmt: str) -> str:
    """The manifest with `initial_image` and `video` cut to their file names ("videos/a.mp4" ->
    "a.mp4"), for files uploaded together with it: a browser sends names, not folders. Lines that
    do not parse are kept as they are, so the import reports them on their own line numbers."""
    def bare(record: dict) -> dict:
        return {k: (PurePosixPath(v.replace("\\", "/")).name if k in ("initial_image", "video") and isinstance(v, str)
                    else v) for k, v in record.items()}

    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            return text
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(bare({k: v for k, v in r.items() if k is not None}) for r in reader)
        return out.getvalue()
    lines = []
    for raw in text.splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        lines.append(json.dumps(bare(record), ensure_ascii=False) if isinstance(record, dict) else raw)
    return "\n".join(lines)


QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+")


def error_cause(error: RowError) -> str:
    """The message with its row-specific parts (quoted paths, numbers) blanked, so rows failing for
    the same reason share one cause: "'a.mp4' does not exist" and "'b.mp4' does not exist" alike."""
    return _NUMBER.sub("N", QUOTED.sub("'…'", error.message))


def errors_grouped(errors: list[RowError]) -> list[dict]:
    """One entry per (field, cause), in order of first appearance, listing its lines and the first
    row's own message as an example: a manifest of 10,000 rows with one wrong folder reads as one
    problem, not 10,000."""
    groups: dict[tuple[str, str], dict] = {}
    for error in sorted(errors, key=lambda e: e.line):
        key = (error.field, error_cause(error))
        group = groups.setdefault(key, {"field": error.field, "cause": key[1], "example": error.message, "lines": []})
        group["lines"].append(error.line)
    return [{**g, "count": len(g["lines"])} for g in groups.values()]


@dataclass
class ParsedManifest:
    rows: list[ManifestRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _records(text: str, fmt: str):
    if fmt == "jsonl":
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw, parse_int=_json_int)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON: {exc.msg}"
                continue
            if not isinstance(record, dict):
                yield number, None, "each line must be a JSON object"
                continue
            yield number, record, None
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [f for f in REQUIRED_FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            yield 1, None, f"CSV header lacks columns: {', '.join(missing)}"
            return
        for number, record in enumerate(reader, start=2):
            yield number, {k: v for k, v in record.items() if k is not None}, None
    else:
        raise ValueError(f"unknown manifest format {fmt!r}; use 'jsonl' or 'csv'")


class _OversizedNumber:
    """A JSON integer literal too long to be a 64-bit value, left unconverted: int() would raise
    inside json.loads (Python caps it at 4300 digits) and fail the whole manifest with a 500."""

    def __init__(self, literal: str):
        self.digits = len(literal)


def _json_int(literal: str) -> int | _OversizedNumber:
    return int(literal) if len(literal) <= MAX_SEED_DIGITS + 1 else _OversizedNumber(literal)


def parse_seed(value) -> int | None:
    """A manifest seed: a JSON integer or a string of decimal digits in the 64-bit range, or None when
    absent. Raises ValueError(MSG_SEED) for anything else: 1.5 is refused, not stored as 1."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _SEED_TEXT.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        raise ValueError(MSG_SEED)
    return value


def detect_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"cannot tell the manifest format from {name!r}; name it *.jsonl or *.csv")


def resolve_media_path(raw: str, *, base_dir: Path, roots: list[Path], missing: str = MSG_MISSING_FILE) -> Path:
    """Resolve a manifest path against the manifest's folder and refuse anything outside the import roots."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("is empty")
    if "\x00" in raw:
        raise ValueError("contains a NUL byte")
    candidate = Path(raw)
    resolved = (candidate if candidate.is_absolute() else base_dir / candidate).resolve()
    if not any(resolved == root or root in resolved.parents for root in roots):
        raise ValueError(MSG_OUTSIDE_ROOTS.format(raw=raw, allowed=", ".join(str(r) for r in roots)))
    if not resolved.is_file():
        raise ValueError(missing.format(raw=raw))
    return resolved


def parse_manifest(text: str, *, fmt: str, base_dir: Path, roots: list[Path], max_rows: int,
                   missing_file: str = MSG_MISSING_FILE) -> ParsedManifest:
    result = ParsedManifest()
    for line, record, problem in _records(text, fmt):
        if problem:
            result.errors.append(RowError(line, "*", problem))
            continue
        if len(result.rows) + len(result.errors) >= max_rows:
            result.errors.append(RowError(line, "*", f"manifest exceeds {max_rows} rows; split it"))
            break
        errors_before = len(result.errors)
        unknown = sorted(set(record) - set(ALL_FIELDS))
        if unknown:
            result.errors.append(RowError(line, "*", f"unknown fields: {', '.join(unknown)}"))
        values = {}
        for name in REQUIRED_FIELDS:
            value = record.get(name)
            if not isinstance(value, str) or not value.strip():
                result.errors.append(RowError(line, name, "is required and must be a non-empty string"))
            elif len(value) > MAX_TEXT:
                result.errors.append(RowError(line, name, f"is longer than {MAX_TEXT} characters"))
            else:
                values[name] = value.strip()
        for name in ("initial_image", "video"):
            if name in values:
                try:
                    values[name] = resolve_media_path(values[name], base_dir=base_dir, roots=roots,
                                                      missing=missing_file)
                except ValueError as exc:
                    result.errors.append(RowError(line, name, str(exc)))
        try:
            seed = parse_seed(record.get("seed"))
        except ValueError as exc:
            seed = None
            result.errors.append(RowError(line, "seed", str(exc)))
        texts = {}
        for name, limit in (("action_label", 64), ("prompt_key", 128), ("split_key", 64)):
            value = record.get(name) or ""
            if not isinstance(value, str) or len(value) > limit:
                result.errors.append(RowError(line, name, f"must be a string of at most {limit} characters"))
                value = ""
            texts[name] = value.strip()
        if "generator" in values and len(values["generator"]) > 120:
            result.errors.append(RowError(line, "generator", "is longer than 120 characters"))
        if len(result.errors) == errors_before:
            result.rows.append(
                ManifestRow(line=line, prompt=values["prompt"], initial_image=values["initial_image"],
                            video=values["video"], generator=values["generator"], seed=seed, **texts)
            )
    return result
