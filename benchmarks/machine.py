"""The machine/date/commit header every benchmark writes above its numbers (RESULTS files)."""
from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sh(cmd: str) -> str:
    """A shell command's output, or the error in brackets: the header is informational only."""
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=10).stdout.strip()
    except Exception as exc:  # noqa: BLE001
        return f"({exc})"


def machine_block(*, versions: dict[str, str] | None = None, postgres: bool = True, free: bool = True) -> str:
    """Markdown bullets: date, commit (dirty or not), uname, cores and load, software versions."""
    load = os.getloadavg()
    software = {"python": platform.python_version(), **(versions or {})}
    if postgres:
        software["PostgreSQL"] = sh("psql -h 127.0.0.1 -U postgres -Atc 'show server_version' 2>/dev/null") or "?"
    lines = [
        f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- commit: {sh('git rev-parse --short HEAD')}" + (" (dirty tree)" if sh("git status --porcelain") else ""),
        f"- machine: `{sh('uname -a')}`",
        # os.cpu_count, not nproc: nproc follows OMP_NUM_THREADS, which the benches pin to 1.
        f"- cores: {os.cpu_count()}; load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "- " + "; ".join(f"{name} {version}" for name, version in software.items()),
    ]
    if free:
        lines.append("- free -g:\n\n```\n" + sh("free -g") + "\n```")
    return "\n".join(lines)


def results_append(path: Path, text: str, *, preamble: str) -> None:
    """Append one run's section to a results file, starting the file with `preamble` if it is new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(preamble.rstrip() + "\n")
    with path.open("a") as handle:
        handle.write("\n" + text.strip("\n") + "\n")
