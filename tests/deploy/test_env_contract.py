"""docker/.env.example, docker/compose.yaml and the settings name the same environment variables."""
from __future__ import annotations

from tests.deploy.support import (
    app_env_vars,
    compose_app_env,
    compose_data,
    compose_interpolated_vars,
    env_example_vars,
)

# Read by the application but deliberately not forwarded by compose.yaml:
COMPOSE_EXEMPT = {
    # test-only
    "TEST_DATABASE_NAME": "test runs only",
    "CELERY_TASK_ALWAYS_EAGER": "test runs only (production must queue tasks)",
    # booleans whose defaults derive from DJANGO_HTTPS: `${X:-}` would pass "" and "" reads as off
    "DJANGO_SECURE_COOKIES": "derived from DJANGO_HTTPS",
    "DJANGO_SECURE_SSL_REDIRECT": "derived from DJANGO_HTTPS",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "derived from DJANGO_HTTPS",
}
# Compose's own variables that .env.example may set without compose.yaml interpolating them.
COMPOSE_NATIVE = {"COMPOSE_PROJECT_NAME"}


def test_the_scanner_sees_the_known_settings():
    found = app_env_vars()
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "STORAGE_BACKEND", "DJANGO_HTTPS", "LOG_FORMAT", "CSP_POLICY"):
        assert name in found, name


def test_env_example_documents_exactly_what_the_application_reads():
    app, documented = set(app_env_vars()), env_example_vars()
    app_only = compose_interpolated_vars() | COMPOSE_NATIVE
    missing = {name: app_env_vars()[name] for name in sorted(app - documented)}
    assert not missing, f"read by the code but not documented in docker/.env.example: {missing}"
    unknown = sorted(documented - app - app_only)
    assert not unknown, f"docker/.env.example documents variables nothing reads: {unknown}"


def test_compose_forwards_every_application_variable_and_nothing_else():
    app = set(app_env_vars())
    forwarded = set(compose_app_env())
    missing = sorted(app - forwarded - set(COMPOSE_EXEMPT))
    assert not missing, f"x-app-env in docker/compose.yaml does not forward: {missing}"
    unknown = sorted(forwarded - app)
    assert not unknown, f"x-app-env sets variables the application never reads: {unknown}"
    stale = sorted(set(COMPOSE_EXEMPT) - app)
    assert not stale, f"COMPOSE_EXEMPT names variables the application no longer reads: {stale}"


def test_every_compose_interpolation_is_documented():
    undocumented = sorted(compose_interpolated_vars() - env_example_vars())
    assert not undocumented, f"compose.yaml uses ${{...}} not in docker/.env.example: {undocumented}"


def test_services_get_the_application_environment():
    services = compose_data()["services"]
    app = compose_app_env()
    for name in ("migrate", "web", "worker-media", "worker-gpu", "beat"):
        env = services[name]["environment"]
        assert set(app) <= set(env), name
        extra = set(env) - set(app)
        assert extra <= {"WEB_CONCURRENCY", "MEDIA_WORKER_CONCURRENCY"}, (name, extra)
