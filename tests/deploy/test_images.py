"""The images' build steps, run here as far as they go without a Docker engine."""
from __future__ import annotations

import configparser
import http.server
import json
import re
import subprocess
import sys
import threading

import pytest

from tests.deploy.support import DOCKER, ROOT, manage, production_env

WEB = (DOCKER / "Dockerfile.web").read_text()
WORKER = (DOCKER / "Dockerfile.worker").read_text()
# Entry points the templates load with {% static %}.
FRONTEND_ENTRIES = ["studio/label.js", "studio/label.css", "studio/review.js", "studio/review.css"]


def test_web_dockerfile_is_multi_stage_non_root_and_healthchecked():
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", WEB, flags=re.M)
    assert stages == ["frontend", "python-deps", "runtime"]
    assert "npm ci" in WEB and "npm run build" in WEB
    assert "COPY --from=frontend /src/frontend/dist frontend/dist" in WEB
    assert "pip install" in WEB and "-r /tmp/requirements.txt" in WEB
    assert "python manage.py collectstatic --noinput" in WEB
    assert "DJANGO_STATIC_MANIFEST=1" in WEB
    assert re.search(r"^USER studio$", WEB, flags=re.M)
    assert "HEALTHCHECK" in WEB and "docker/healthcheck.py" in WEB
    assert '"gunicorn", "config.wsgi:application"' in WEB


def test_worker_dockerfile_uses_cuda_torch_and_the_gpu_queue():
    assert "download.pytorch.org/whl/cu" in WORKER
    assert re.search(r"^USER studio$", WORKER, flags=re.M)
    assert r'-Q \"${RUNS_QUEUE:-gpu}\" --concurrency 1' in WORKER
    for part in ("config/", "annotation/", "training/", "manage.py", "dimensions.py"):
        assert f"COPY {part}" in WORKER, part


def test_both_images_copy_every_package_of_the_import_contract():
    """The packages .importlinter names (all but benchmarks) are what the apps import at run time."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    packages = [p for p in parser["importlinter"]["root_packages"].split() if p != "benchmarks"]
    assert {"people", "studio_platform", "media_io", "demo"} <= set(packages)
    for name in ("Dockerfile.web", "Dockerfile.worker"):
        dockerfile = (DOCKER / name).read_text()
        ignore = (DOCKER / f"{name}.dockerignore").read_text()
        for package in packages:
            assert f"COPY {package}/ {package}/" in dockerfile, (name, package)
            assert f"!{package}/**" in ignore, (name, package)


def test_dockerignore_sends_what_the_dockerfiles_copy():
    for name in ("Dockerfile.web", "Dockerfile.worker"):
        ignore = (DOCKER / f"{name}.dockerignore").read_text()
        for needed in ("!manage.py", "!dimensions.py", "!requirements.txt", "!config/**", "!annotation/**",
                       "!training/**"):
            assert needed in ignore, (name, needed)


def test_collectstatic_with_the_production_env_writes_hashed_compressed_assets(tmp_path):
    if not (ROOT / "frontend" / "dist" / "studio" / "label.js").exists():
        pytest.skip("frontend/dist is not built (scripts/bootstrap or `cd frontend && npm run build`); "
                    "the image builds it in its node stage")
    static_root = tmp_path / "static"
    env = production_env(STATIC_ROOT=str(static_root))
    # The same command as the RUN line in Dockerfile.web.
    result = subprocess.run(manage("collectstatic", "--noinput", "-v", "0"), env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for entry in FRONTEND_ENTRIES + ["admin/css/base.css"]:
        hashed = manifest[entry]
        assert re.search(r"\.[0-9a-f]{12}\.(js|css)$", hashed), hashed
        assert (static_root / hashed).is_file(), hashed
        assert (static_root / f"{hashed}.gz").is_file(), f"{hashed}.gz"
    # Shared chunks the entry modules import ("./chunks/x.js") are there under their plain names too.
    chunks = list((static_root / "studio" / "chunks").glob("*.js"))
    assert chunks


class _Stub(http.server.BaseHTTPRequestHandler):
    status = 200
    seen_hosts: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).seen_hosts.append(self.headers["Host"])
        body = json.dumps({"status": "ok" if self.status == 200 else "unhealthy"}).encode()
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status,code", [(200, 0), (503, 1)])
def test_container_healthcheck_script(status, code):
    _Stub.status, _Stub.seen_hosts = status, []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {"HEALTHCHECK_PORT": str(server.server_address[1]), "DJANGO_ALLOWED_HOSTS": ".example.com,localhost"}
        result = subprocess.run([sys.executable, str(DOCKER / "healthcheck.py")], env=env, capture_output=True,
                                text=True, timeout=30)
    finally:
        server.shutdown()
    assert result.returncode == code, result.stderr
    assert _Stub.seen_hosts == ["example.com"]
