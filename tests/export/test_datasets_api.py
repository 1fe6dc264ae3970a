"""/api/datasets/: who may do what, downloads confined to the version's listed files."""
from __future__ import annotations

import pytest

from tests.export.conftest import make_judged_campaign
from training.exports.services import dataset_version_build, dataset_version_create
from training.models import DatasetStatus, DatasetVersion

pytestmark = pytest.mark.usefixtures("datasets_root")


@pytest.fixture
def small_campaign(db):
    return make_judged_campaign(n_images=2)


@pytest.fixture
def ready_version(small_campaign, carol):
    campaign, _, _ = small_campaign
    version = dataset_version_create(campaigns=[campaign], enqueue=False, created_by=carol)
    return dataset_version_build(version_id=version.pk)


README = "README.md"


def _urls(version):
    return [f"/api/datasets/", f"/api/datasets/{version.pk}/", f"/api/datasets/{version.pk}/files/{README}"]


def test_annotators_and_roleless_users_cannot_list_see_or_download(ready_version, client_for, alice, mallory):
    for actor in (alice, mallory):
        for url in _urls(ready_version):
            assert client_for(actor).get(url).status_code == 403, (actor.username, url)


def test_anonymous_is_refused(ready_version, client_for):
    for url in _urls(ready_version):
        assert client_for().get(url).status_code in (401, 403), url


def test_only_admins_create_and_rebuild(ready_version, small_campaign, client_for, alice, rita, mallory):
    for actor in (alice, rita, mallory, None):
        client = client_for(actor)
        body = {"campaigns": [small_campaign[0].pk]}
        assert client.post("/api/datasets/", body, format="json").status_code in (401, 403)
        assert client.post(f"/api/datasets/{ready_version.pk}/rebuild/").status_code in (401, 403)
        assert client.post(f"/api/datasets/{ready_version.pk}/build/").status_code in (401, 403)
    assert DatasetVersion.objects.count() == 1


def test_a_reviewer_lists_inspects_and_downloads(ready_version, client_for, rita):
    client = client_for(rita)
    listing = client.get("/api/datasets/").json()
    assert [v["id"] for v in listing["results"]] == [ready_version.pk]
    detail = client.get(f"/api/datasets/{ready_version.pk}/").json()
    assert detail["status"] == "ready" and detail["sha256"] == ready_version.sha256
    assert detail["progress"]["fraction"] == 1.0 and detail["created_by"] == "carol"
    parquet = next(f for f in detail["files"] if f["path"] == "data/judgments/train-00000-of-00001.parquet")
    response = client.get(parquet["url"])
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"PAR1" and len(body) == parquet["size_bytes"]
    assert response["ETag"] == f'"{parquet["sha256"]}"'


TRAVERSALS = [
    "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "data/../../secret", "../secret",
    "data/judgments/", "data/judgments/nope.parquet", "%2e%2e/%2e%2e/settings.py", "data/../README.md",
]


def test_downloads_cannot_leave_the_version_folder(ready_version, client_for, rita, datasets_root):
    (datasets_root / "secret").write_text("not yours")
    client = client_for(rita)
    for path in TRAVERSALS:
        response = client.get(f"/api/datasets/{ready_version.pk}/files/{path}")
        assert response.status_code == 404, path
        assert b"not yours" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_files_of_an_unfinished_version_are_not_served(small_campaign, client_for, rita):
    version = dataset_version_create(campaigns=[small_campaign[0]], enqueue=False)
    response = client_for(rita).get(f"/api/datasets/{version.pk}/files/{README}")
    assert response.status_code == 409 and response.json()["code"] == "dataset_not_ready"


def test_an_admin_creates_and_the_build_is_enqueued_after_commit(small_campaign, client_for, carol,
                                                                 django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("training.tasks.build_dataset_version.delay", lambda version_id: queued.append(version_id))
    campaign = small_campaign[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(carol).post("/api/datasets/", {
            "campaigns": [campaign.pk], "dimensions": ["motion"], "test_fraction": 0.25, "min_votes_per_pair": 2,
        }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert queued == [body["id"]]
    assert body["status"] == "queued" and body["progress"]["fraction"] is None
    assert body["description"]["dimension_keys"] == ["motion"]
    assert body["description"]["filters"]["min_votes_per_pair"] == 2


def test_bad_descriptions_are_refused_with_the_reason(small_campaign, client_for, carol):
    client, campaign = client_for(carol), small_campaign[0]
    response = client.post("/api/datasets/", {"campaigns": [campaign.pk], "dimensions": ["appeal"]}, format="json")
    assert response.status_code == 400 and "appeal" in response.json()["detail"]
    response = client.post("/api/datasets/", {"campaigns": []}, format="json")
    assert response.status_code == 400


def test_rebuild_makes_a_new_version_and_build_refuses_a_ready_one(ready_version, client_for, carol, monkeypatch):
    monkeypatch.setattr("training.tasks.build_dataset_version.delay", lambda version_id: None)
    client = client_for(carol)
    response = client.post(f"/api/datasets/{ready_version.pk}/rebuild/")
    assert response.status_code == 201
    new = DatasetVersion.objects.get(pk=response.json()["id"])
    assert new.description_sha256 == ready_version.description_sha256 and new.status == DatasetStatus.QUEUED
    response = client.post(f"/api/datasets/{ready_version.pk}/build/")
    assert response.status_code == 409 and response.json()["code"] == "dataset_state_conflict"


def test_an_unknown_version_is_a_404(client_for, rita, db):
    assert client_for(rita).get("/api/datasets/999999/").status_code == 404
