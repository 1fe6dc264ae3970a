"""Shared helpers for the deployment tests: the repo layout, the variable contract, subprocess env."""
from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
# Where the application reads environment variables (config/env.py holds the readers themselves).
APP_SOURCES = ("config", "annotation", "training")

_READ_PATTERNS = [
    re.compile(r"""\benv_(?:str|bool|int|list|json_object)\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\bos\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\bos\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""),
    re.compile(r"""\bos\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
]
# Read by Python/Django plumbing, not configuration an operator sets.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}
_ENV_LINE = re.compile(r"^(?:#\s?)?([A-Z][A-Z0-9_]*)=")
_INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?[-?+][^}]*)?\}")


def app_env_vars() -> dict[str, list[str]]:
    """{VARIABLE: ["config/settings.py:17", ...]} for every variable the application reads."""
    found: dict[str, list[str]] = {}
    for top in APP_SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "config/env.py" or "/migrations/" in rel:
                continue
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for pattern in _READ_PATTERNS:
                    for name in pattern.findall(line):
                        if name not in NOT_CONFIGURATION:
                            found.setdefault(name, []).append(f"{rel}:{lineno}")
    return found


def env_example_vars() -> set[str]:
    """Variables docker/.env.example documents: `NAME=` and optional `# NAME=` lines."""
    return {m.group(1) for line in ENV_EXAMPLE.read_text().splitlines() if (m := _ENV_LINE.match(line))}


def compose_data() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def compose_app_env() -> dict[str, str]:
    return compose_data()["x-app-env"]


def compose_interpolated_vars() -> set[str]:
    text = "\n".join(line for line in COMPOSE.read_text().splitlines() if not line.lstrip().startswith("#"))
    return set(_INTERPOLATION.findall(text.replace("$$", "")))


def production_env(**overrides: str) -> dict[str, str]:
    """A production-like environment for manage.py subprocesses (HTTPS behind a TLS proxy, S3)."""
    env = {k: v for k, v in os.environ.items() if k not in app_env_vars() or k in {"DATABASE_URL", "REDIS_URL"}}
    # The browser tests set this for Playwright in the pytest process; production never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_REQUIRE_SECRET_KEY="1",
        DJANGO_ALLOWED_HOSTS="studio.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://studio.example.com",
        DJANGO_HTTPS="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_STATIC_MANIFEST="1",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="studio-media",
        AWS_S3_ENDPOINT_URL="https://media.example.com",
        AWS_S3_ADDRESSING_STYLE="path",
        LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    env.update(overrides)
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]
