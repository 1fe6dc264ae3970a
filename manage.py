#!/usr/bin/env python
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.env import run_env_load

    # while `scripts/run` runs, its embedded PostgreSQL/Redis (DATA_DIR/env) unless the environment says otherwise
    run_env_load(Path(__file__).resolve().parent / "var")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
