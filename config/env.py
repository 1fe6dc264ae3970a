"""Typed readers for environment variables that fail loudly on bad values.

Every setting that can differ between a laptop, CI and production is read here, so
`settings.py` stays declarative and a typo in a deployment fails at start-up with a
message that says how to fix it, instead of misbehaving later.
"""
from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ImproperlyConfiguredEnv(RuntimeError):
    """An environment variable holds a value the project cannot use."""


def env_str(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(f"{name}_FILE points to {file_path!r}, which cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not an integer") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={value} must be at least {minimum}")
    return value


def env_json_object(name: str, default: dict) -> dict:
    """A JSON object from the environment (e.g. GAPO_DEFAULT_CONFIG='{"steps": 40}'), else `default`."""
    import json

    raw = os.environ.get(name)
    if raw is None or raw == "":
        return dict(default)
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"{name} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfiguredEnv(f"{name} must be a JSON object, got {type(value).__name__}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key_in_data_dir(path: Path) -> str:
    """The key stored at `path`, created once (random, mode 0600) when it does not exist yet.

    The default install's SECRET_KEY when DJANGO_SECRET_KEY is unset: every process of one install
    (web workers, Celery, manage.py) reads the same file, and no two installs share a key. Creation
    uses O_EXCL, so when two processes start together one writes and the other reads its key."""
    import secrets

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ImproperlyConfiguredEnv(
            f"cannot create the secret key file {path} ({exc}); set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) "
            "or make DATA_DIR writable"
        ) from exc
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
    for _ in range(50):  # a concurrent creator may not have written its line yet
        try:
            key = path.read_text().strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(f"cannot read the secret key file {path}: {exc}") from exc
        if key:
            return key
        import time

        time.sleep(0.1)
    raise ImproperlyConfiguredEnv(f"the secret key file {path} is empty; delete it to generate a new key")


# Written by `scripts/run` while it runs (removed when it stops): the embedded services' URLs, so
# `manage.py` commands in another terminal reach the same PostgreSQL/Redis without exporting anything.
RUN_ENV_NAME = "env"
RUN_ENV_KEYS = ("DATABASE_URL", "REDIS_URL", "DATA_DIR")


def run_env_write(data_dir: Path, env: dict) -> Path:
    path = Path(data_dir) / RUN_ENV_NAME
    lines = [f"{key}={env[key]}" for key in RUN_ENV_KEYS if env.get(key)]
    path.write_text("# written by scripts/run while it runs; manage.py reads it when these are unset\n"
                    + "\n".join(lines) + "\n")
    return path


def run_env_load(default_data_dir: Path) -> dict:
    """Set the variables of a running `scripts/run` that the environment leaves unset; returns them."""
    data_dir = Path(os.environ.get("DATA_DIR") or default_data_dir)
    path = data_dir / RUN_ENV_NAME
    loaded = {}
    if not path.is_file():
        return loaded
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key in RUN_ENV_KEYS and not os.environ.get(key):
            os.environ[key] = loaded[key] = value
    return loaded
