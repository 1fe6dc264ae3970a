"""Production settings: `check --deploy` is clean, DJANGO_HTTPS derives the secure defaults, and a
local run (nothing set) stays plain http."""
from __future__ import annotations

import json
import subprocess

from tests.deploy.support import ROOT, manage, production_env

_PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ("
    "'DEBUG','SECURE_SSL_REDIRECT','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SECURE_HSTS_SECONDS',"
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS','SECURE_HSTS_PRELOAD','SECURE_PROXY_SSL_HEADER','CONTENT_SECURITY_POLICY',"
    "'MIDDLEWARE')} | {'STATICFILES': s.STORAGES['staticfiles']['BACKEND']}))"
)


def _settings(env: dict[str, str]) -> dict:
    result = subprocess.run([manage()[0], "-c", _PRINT], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_has_no_warnings_with_production_env():
    result = subprocess.run(manage("check", "--deploy", "--fail-level", "WARNING"), env=production_env(),
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output, output


def test_https_derives_the_secure_defaults():
    s = _settings(production_env())
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] and s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and s["SECURE_HSTS_PRELOAD"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    csp = s["CONTENT_SECURITY_POLICY"]
    assert "media-src 'self' blob: https://media.example.com" in csp
    assert "connect-src 'self' https://media.example.com" in csp
    assert "script-src 'self';" in csp
    mw = s["MIDDLEWARE"]
    assert mw.index("config.middleware.ContentSecurityPolicyMiddleware") == \
        mw.index("django.middleware.security.SecurityMiddleware") + 1


def test_local_runs_stay_plain_http():
    env = production_env()
    for name in ("DJANGO_HTTPS", "DJANGO_SECURE_PROXY_SSL_HEADER", "DJANGO_HSTS_PRELOAD", "DJANGO_STATIC_MANIFEST",
                 "STORAGE_BACKEND", "DJANGO_REQUIRE_SECRET_KEY", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        env.pop(name)
    s = _settings(env)
    assert not s["SECURE_SSL_REDIRECT"] and not s["SESSION_COOKIE_SECURE"] and not s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] == 0 and s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["STATICFILES"] == "whitenoise.storage.CompressedStaticFilesStorage"
    assert "media-src 'self' blob:;" in s["CONTENT_SECURITY_POLICY"]


def test_explicit_overrides_win_over_the_https_defaults():
    s = _settings(production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_HSTS_SECONDS="60",
                                 DJANGO_HSTS_INCLUDE_SUBDOMAINS="0", CSP_POLICY="off"))
    assert s["SECURE_SSL_REDIRECT"] is False and s["SECURE_HSTS_SECONDS"] == 60
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and s["CONTENT_SECURITY_POLICY"] == ""


def test_required_secret_key_is_enforced():
    env = production_env()
    env.pop("DJANGO_SECRET_KEY")
    result = subprocess.run(manage("check"), env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("x" * 60 + "\n")
    env = production_env()
    env.pop("DJANGO_SECRET_KEY")
    env["DJANGO_SECRET_KEY_FILE"] = str(secret)
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run([manage()[0], "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "x" * 60


def test_json_logs_are_one_object_per_line():
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('studio.test').warning('hello %s', 'world', extra={'campaign': 7})")
    result = subprocess.run([manage()[0], "-c", code], env=production_env(LOG_LEVEL="INFO"), cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    ours = [line for line in lines if line["logger"] == "studio.test"]
    assert ours and ours[0]["message"] == "hello world" and ours[0]["level"] == "WARNING"
    assert ours[0]["campaign"] == 7 and "ts" in ours[0]


def test_virtual_hosted_buckets_are_allowed_by_the_policy():
    s = _settings(production_env(AWS_S3_ENDPOINT_URL="https://acct.r2.example.net", AWS_S3_ADDRESSING_STYLE=""))
    assert "media-src 'self' blob: https://acct.r2.example.net https://*.acct.r2.example.net;" in \
        s["CONTENT_SECURITY_POLICY"]
    s = _settings(production_env(AWS_S3_ENDPOINT_URL="", CSP_EXTRA_ORIGINS="https://cdn.example.com"))
    assert "media-src 'self' blob: https://*.amazonaws.com https://cdn.example.com;" in s["CONTENT_SECURITY_POLICY"]
