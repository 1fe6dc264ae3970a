"""The README's run command brings up a working site: migrate, demo seed (with simulated judgments),
web + a gpu worker + a default/media worker + beat, and DATA_DIR/env for manage.py in another terminal."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "studio_quickstart_test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_dsn(dbname: str) -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    return psycopg.conninfo.make_conninfo(host=host, port=db.get("PORT") or None, user=db["USER"],
                                           password=db.get("PASSWORD") or None, dbname=dbname)


@pytest.fixture
def fresh_database():
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    from urllib.parse import quote

    netloc = f"{db['USER']}@{quote(host, safe='')}" + (f":{db['PORT']}" if db.get("PORT") else "")
    yield f"postgres://{netloc}/{DB_NAME}"
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def test_the_run_command_serves_the_demo_and_stops_cleanly_on_ctrl_c(fresh_database, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": fresh_database, "REDIS_URL": settings.REDIS_URL, "DATA_DIR": str(tmp_path),
           "STUDIO_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "studio.py"), "run", "--web-workers", "1",
                             "--demo-prompts", "3", "--simulate", "1"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail("run command exited early:\n" + "".join(output))
            output.append(line)
            if "is running at" in line:
                break
        base = f"http://127.0.0.1:{port}"
        for _ in range(60):
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health.status_code == 200 and health.json()["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}
        with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as browser:
            login_page = browser.get("/accounts/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
            home = browser.post("/accounts/login/", data={"username": "alice", "password": "alice-demo-pass",
                                                          "csrfmiddlewaretoken": token},
                                headers={"Referer": f"{base}/accounts/login/"})
            assert "Demo: anime image-to-video arena" in home.text
            campaigns = browser.get("/api/campaigns/").json()["results"]
            lease = browser.post(f"/api/campaigns/{campaigns[0]['id']}/next/", json={},
                                 headers={"X-CSRFToken": browser.cookies["csrftoken"]}).json()
            assert lease["assignment"] is not None
            video = browser.get(lease["video_a"]["url"], headers={"Range": "bytes=0-99"})
            assert video.status_code == 206 and len(video.content) == 100
        joined = "".join(output)
        assert "alice / alice-demo-pass" in joined
        assert "1 simulated annotators stored" in joined
        # manage.py in another terminal finds the running services through DATA_DIR/env, nothing exported
        env_file = tmp_path / "env"
        assert f"DATABASE_URL={fresh_database}" in env_file.read_text()
        bare = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        check = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c",
                                "from annotation.models import Judgment; print('judgments', Judgment.objects.count())"],
                               env={**bare, "DATA_DIR": str(tmp_path)}, cwd=ROOT, capture_output=True, text=True,
                               timeout=120)
        assert check.returncode == 0, check.stderr
        assert int(re.search(r"judgments (\d+)", check.stdout).group(1)) > 0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, rest
    assert "[studio] stopped" in rest
    assert not (tmp_path / "env").exists(), "a stopped studio leaves no service URLs behind"
    joined = "".join(output) + rest
    assert "studio-gpu@" in joined and "studio-worker@" in joined, "two workers: gpu apart from default,media"
