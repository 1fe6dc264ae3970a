"""The import contract (.importlinter, issue #21) holds, names every module of the two apps, and
fails on a deliberate back-import: the checker is run here, so the default suite enforces it."""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
# Domain modules training may import (the contract's comment says why each is allowed).
TRAINING_MAY_IMPORT = {"models", "selectors", "quality", "signals", "manifests"}


def lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    """import-linter's CLI on the packages under `cwd` (no cache: each run sees the files as they are)."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--config", str(config), "--no-cache"], cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)}, capture_output=True, text=True,
                          timeout=120)


def contract(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser[f"importlinter:contract:{name}"]


def listed(section: configparser.SectionProxy, key: str) -> set[str]:
    return {line.strip() for line in section[key].splitlines() if line.strip()}


def top_level_modules(package: str) -> set[str]:
    """annotation -> {"annotation.api", "annotation.pages", ...}: its modules and subpackages."""
    found = set()
    for path in (ROOT / package).iterdir():
        if path.suffix == ".py" and path.stem != "__init__":
            found.add(f"{package}.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            found.add(f"{package}.{path.name}")
    return found


def test_the_import_contract_holds():
    result = lint_imports(ROOT, CONFIG)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_every_module_of_the_apps_is_named_pure_or_django():
    """A new module must be placed in the contract; otherwise it would be checked by nothing."""
    pure = contract("pure-packages")
    sources, forbidden = listed(pure, "source_modules"), listed(pure, "forbidden_modules")
    for package in ("annotation", "training"):
        unnamed = sorted(m for m in top_level_modules(package) if m not in sources | forbidden)
        assert not unnamed, f"add these to .importlinter's pure-packages contract (pure or Django): {unnamed}"
    domain = listed(contract("training-uses-annotation-domain"), "forbidden_modules")
    allowed = {f"annotation.{name}" for name in TRAINING_MAY_IMPORT}
    unnamed = sorted(top_level_modules("annotation") - domain - allowed)
    assert not unnamed, f"say in .importlinter whether training may import {unnamed}"


def _copy_packages(dst: Path) -> None:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    for package in parser["importlinter"]["root_packages"].split():
        shutil.copytree(ROOT / package, dst / package,
                        ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.html", "*.mo", "*.po"))


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The contract's packages copied as they are (Python files only), to break on purpose."""
    dst = tmp_path_factory.mktemp("contract")
    _copy_packages(dst)
    shutil.copy(CONFIG, dst / ".importlinter")
    return dst


@pytest.mark.parametrize("module, back_import, contract_id", [
    ("annotation/services/quality.py", "from training.models import RewardModelScore", "annotation-not-training"),
    ("training/runs/selectors.py", "from annotation.services.gold import annotators_gold_check",
     "training-uses-annotation-domain"),
    ("studio_platform/roles.py", "from annotation.models import Campaign", "platform-below-apps"),
    ("media_io/probe.py", "from django.conf import settings", "pure-packages"),
    ("training/gapo/targets.py", "from training.models import TrainingRun", "pure-packages"),
    # Inside a function counts too: that is how the cycles used to hide.
    ("annotation/services/media_pipeline.py", "def _queue():\n    from annotation.media_tasks import process_video",
     "no-cycles"),
    ("benchmarks/selection_platform.py", "from benchmarks.bench_selection import POLICIES", "no-cycles"),
])
def test_a_deliberate_back_import_breaks_the_contract(project_copy, module, back_import, contract_id):
    target = project_copy / module
    original = target.read_text()
    try:
        target.write_text(original + "\n\n" + back_import + "\n")
        result = lint_imports(project_copy, project_copy / ".importlinter")
    finally:
        target.write_text(original)
    assert result.returncode != 0, result.stdout[-3000:]
    report = " ".join(result.stdout.split())  # the CLI wraps long contract names
    assert f"{contract(contract_id)['name']} BROKEN" in report, result.stdout[-3000:]
    assert report.count(" BROKEN") == 1, result.stdout[-3000:]  # that one contract, nothing else


def test_the_copy_itself_keeps_the_contract(project_copy):
    """So the failures above come from the back-imports, not from the copying."""
    result = lint_imports(project_copy, project_copy / ".importlinter")
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_cycle_between_siblings_of_a_synthetic_package_is_found(tmp_path):
    """The contract types themselves, on a package small enough to read: a forbidden back-import and
    a cycle through a function-level import both fail; without them the same config passes."""
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "low" / "__init__.py").write_text("")
    (tmp_path / "low" / "a.py").write_text("from low import b\n")
    (tmp_path / "low" / "b.py").write_text("X = 1\n")
    (tmp_path / "high" / "__init__.py").write_text("import low.a\n")
    config = tmp_path / "contract.ini"
    config.write_text(textwrap.dedent("""\
        [importlinter]
        root_packages =
            low
            high

        [importlinter:contract:down]
        name = low never imports high
        type = forbidden
        source_modules =
            low
        forbidden_modules =
            high

        [importlinter:contract:acyclic]
        name = no cycles in low
        type = acyclic_siblings
        ancestors =
            low
        """))
    assert lint_imports(tmp_path, config).returncode == 0

    (tmp_path / "low" / "b.py").write_text("X = 1\n\n\ndef later():\n    from low import a\n    return a\n")
    result = lint_imports(tmp_path, config)
    assert result.returncode != 0 and "no cycles in low BROKEN" in result.stdout

    (tmp_path / "low" / "b.py").write_text("X = 1\n")
    (tmp_path / "low" / "c.py").write_text("import high\n")
    result = lint_imports(tmp_path, config)
    assert result.returncode != 0 and "low never imports high BROKEN" in result.stdout
