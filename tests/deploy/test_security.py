"""The CSP header on real responses, and the storage check of /healthz."""
from __future__ import annotations

import pytest
from django.test import Client

from config.middleware import build_policy, origin_of


def test_origin_of():
    assert origin_of("http://s3.localhost:9000") == "http://s3.localhost:9000"
    assert origin_of("https://minio.example.com/bucket/key?X-Amz=1") == "https://minio.example.com"
    assert origin_of("") is None and origin_of(None) is None and origin_of("not a url") is None


def test_default_policy_allows_what_the_labelling_page_needs():
    policy = build_policy(media_origins=["https://s3.example.com"])
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["script-src"] == "'self'"  # ES modules from /static/, no inline script
    assert "'self'" in directives["style-src"]
    assert directives["media-src"] == "'self' blob: https://s3.example.com"  # signed URLs + preloaded blobs
    assert "https://s3.example.com" in directives["img-src"]  # posters, thumbnail strips
    assert directives["connect-src"] == "'self' https://s3.example.com"  # fetch() preloads
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_responses_carry_the_policy(settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = False
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'self'"


@pytest.mark.django_db
def test_report_only_and_off(settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = True
    response = Client().get("/accounts/login/")
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert "Content-Security-Policy" not in response
    settings.CONTENT_SECURITY_POLICY = ""
    response = Client().get("/accounts/login/")
    assert "Content-Security-Policy" not in response and "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_healthz_reports_storage(media_root):
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_storage_fails(monkeypatch):
    def broken():
        raise ConnectionError("no store")

    monkeypatch.setattr("annotation.views._check_storage", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error: ConnectionError"


@pytest.fixture
def s3_storage(settings):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage",
                        "OPTIONS": {"bucket_name": "healthz-bucket", "region_name": "us-east-1",
                                    "access_key": "test", "secret_key": "test"}},
        }
        yield


@pytest.mark.django_db
def test_healthz_checks_the_s3_bucket(s3_storage):
    import boto3

    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["storage"].startswith("error:")
    boto3.client("s3", region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket="healthz-bucket")
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["storage"] == "ok"


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_ssl_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/accounts/login/").status_code == 301
    assert Client().get("/healthz").status_code in (200, 503)
