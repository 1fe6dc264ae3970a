"""Finding 4: authentication and role checks run before any request body is read, and every
endpoint has a body limit checked before reading.

Before the fix, session authentication's CSRF check parsed the multipart body (spooling files to
temporary files) before DRF checked the role: an annotator made the server write a 294 MiB
temporary file on /api/imports/ and only then got a 403."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client

from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db

BIG = 5 * 1024 * 1024  # well above FILE_UPLOAD_MAX_MEMORY_SIZE: Django would spool it to a temporary file


@pytest.fixture
def body_reads(monkeypatch, tmp_path, settings):
    """Every multipart parse and every temporary upload file, recorded."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    seen = {"parsed": [], "temp_files": []}
    parse, temp_init = MultiPartParser.parse, TemporaryUploadedFile.__init__

    def recording_parse(self):
        seen["parsed"].append(self._content_length)
        return parse(self)

    def recording_temp_init(self, *args, **kwargs):
        seen["temp_files"].append(args[0] if args else kwargs.get("name"))
        return temp_init(self, *args, **kwargs)

    monkeypatch.setattr(MultiPartParser, "parse", recording_parse)
    monkeypatch.setattr(TemporaryUploadedFile, "__init__", recording_temp_init)
    return seen


def _session(user) -> tuple[Client, str]:
    """A browser session with its CSRF token, as the labelling page has them."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    html = client.get("/accounts/login/").content.decode()
    return client, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class ExplodingInput:
    """wsgi.input that fails the test if anything reads the body."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read


def test_an_annotator_gets_403_on_admin_uploads_before_the_body_is_read(alice, body_reads):
    client, token = _session(alice)
    for url, field in (("/api/imports/", "manifest"), ("/api/imports/bundle/", "files"), ("/api/uploads/", "file")):
        response = client.post(url, {field: SimpleUploadedFile("big.bin", b"\0" * BIG)}, HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 403, (url, response.content)
        assert "admin" in response.json()["detail"]
    assert body_reads == {"parsed": [], "temp_files": []}


def test_an_annotator_body_on_next_never_reaches_the_disk(alice, body_reads):
    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=2)
    client, token = _session(alice)
    response = client.post(f"/api/campaigns/{campaign.pk}/next/",
                           {"exclude": "1", "junk": SimpleUploadedFile("big.bin", b"\0" * BIG)},
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code in (200, 400), response.content
    assert body_reads["temp_files"] == []  # parsed in memory, within the endpoint's 10 MiB limit


def test_the_csrf_check_still_refuses_a_session_write_without_the_header(alice, body_reads):
    client, _ = _session(alice)
    response = client.post("/api/imports/", {"manifest": SimpleUploadedFile("big.bin", b"\0" * BIG)})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert body_reads == {"parsed": [], "temp_files": []}


@pytest.mark.parametrize(("user", "url", "declared"), [
    ("alice", "/api/campaigns/1/next/", 11 * 1024 * 1024),  # above DATA_UPLOAD_MAX_MEMORY_SIZE
    ("alice", "/api/assignments/1/submit/", 300 * 1024 * 1024),
    ("carol", "/api/imports/", 51 * 1024 * 1024),  # above the 50 MB manifest limit
    ("carol", "/api/imports/bundle/", 3 * 1024**3),  # above the 2 GiB limit of a manifest with its files
    ("carol", "/api/uploads/", 10 * 1024 * 1024 * 1024),  # above MEDIA_MAX_FILE_BYTES
    ("carol", "/api/datasets/", 11 * 1024 * 1024),
    (None, "/accounts/login/", 11 * 1024 * 1024),  # plain Django views too
])
def test_a_body_over_the_endpoint_limit_is_refused_unread(request, url, user, declared):
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(request.getfixturevalue(user))
    response = client.generic("POST", url, b"", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(declared), **{"wsgi.input": ExplodingInput()})
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "request_too_large"


def test_a_chunked_write_without_length_is_refused(carol):
    client = Client()
    client.force_login(carol)
    response = client.generic("POST", "/api/imports/", b"", content_type="multipart/form-data; boundary=x",
                              HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": ExplodingInput()})
    assert response.status_code == 411 and response.json()["code"] == "length_required"
