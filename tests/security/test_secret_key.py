"""Finding 11: without DJANGO_SECRET_KEY the default install generates a random key once and keeps
it under DATA_DIR (mode 0600), instead of a fixed development key that every install shares (the
export pseudonym salt derives from it)."""
from __future__ import annotations

import os
import stat
import subprocess

from config.env import secret_key_in_data_dir
from tests.deploy.support import ROOT, app_env_vars, manage

_OLD_FIXED_KEY = "insecure-local-development-key-change-me"
_PRINT = ("import django; django.setup(); from django.conf import settings; "
          "from training.exports.services import annotator_salt; print(settings.SECRET_KEY, annotator_salt())")


def _default_install(data_dir) -> tuple[str, str]:
    """SECRET_KEY and the export salt of a fresh process with nothing secret configured."""
    env = {k: v for k, v in os.environ.items() if k not in app_env_vars() or k in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    result = subprocess.run([manage()[0], "-c", _PRINT], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    key, salt = result.stdout.strip().splitlines()[-1].split()
    return key, salt


def test_default_install_generates_a_private_key_once_and_keeps_it(tmp_path):
    key, salt = _default_install(tmp_path / "one")
    stored = tmp_path / "one" / "secret_key"
    assert key != _OLD_FIXED_KEY and len(key) >= 50
    assert stored.read_text().strip() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert _default_install(tmp_path / "one") == (key, salt)  # a restart keeps sessions and pseudonyms

    other_key, other_salt = _default_install(tmp_path / "two")
    assert other_key != key and other_salt != salt  # no two installs share a key or an export salt


def test_an_existing_key_file_is_read_not_replaced(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("k" * 60 + "\n")
    assert secret_key_in_data_dir(path) == "k" * 60
    assert path.read_text() == "k" * 60 + "\n"
