"""AuditLog: one row per admin action (actor, action, target, details, time, IP), shown
read-only in the Django admin to admins only."""
from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from annotation.models import Campaign, CampaignStatus
from studio_platform.models import AuditLog
from tests.clips import write_clip, write_png
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db
IP = "203.0.113.9"


def _rows(action):
    return list(AuditLog.objects.filter(action=action))


@pytest.fixture
def import_root(tmp_path, settings, media_root):
    root = tmp_path / "imports"
    root.mkdir()
    settings.IMPORT_ROOTS = [root.resolve()]
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return root


def test_an_import_writes_one_row(import_root, carol, client_for):
    campaign = CampaignFactory()
    image = write_png(import_root / "p.png", shade=10)
    rows = [{"prompt": "A boy waves", "initial_image": image.name, "video": write_clip(import_root / f"v{i}.mp4",
             shade=i).name, "generator": f"gen-{i}", "seed": i, "action_label": "waving"} for i in range(2)]
    manifest = io.BytesIO("\n".join(json.dumps(r) for r in rows).encode())
    manifest.name = "batch.jsonl"
    response = client_for(carol).post("/api/imports/", {"manifest": manifest, "campaign": campaign.pk},
                                      format="multipart", REMOTE_ADDR=IP)
    assert response.status_code == 201, response.content
    [row] = _rows("import")
    assert (row.actor, row.actor_username, row.ip_address) == (carol, "carol", IP)
    assert (row.target_type, row.target_id) == ("annotation.campaign", str(campaign.pk))
    assert row.details["manifest"] == "batch.jsonl" and row.details["videos_created"] == 2
    assert row.created_at is not None


def test_a_rejected_import_writes_nothing(import_root, carol, client_for):
    manifest = io.BytesIO(b'{"prompt": "x"}')
    manifest.name = "bad.jsonl"
    assert client_for(carol).post("/api/imports/", {"manifest": manifest}, format="multipart").status_code == 400
    assert not _rows("import")


def test_an_upload_writes_one_row(import_root, carol, client_for, tmp_path):
    clip = write_clip(tmp_path / "up.mp4", shade=33)
    image = write_png(tmp_path / "up.png", shade=70)
    files = {}
    for key, path in (("file", clip), ("initial_image", image)):
        files[key] = io.BytesIO(path.read_bytes())
        files[key].name = path.name
    response = client_for(carol).post("/api/uploads/", {**files, "generator": "aurora", "prompt": "A girl runs"},
                                      format="multipart", REMOTE_ADDR=IP)
    assert response.status_code == 201, response.content
    [row] = _rows("upload")
    assert row.actor == carol and row.ip_address == IP
    assert (row.target_type, row.target_id) == ("annotation.video", str(response.json()["id"]))
    assert row.details["file"] == "up.mp4"


def test_dataset_create_build_and_rebuild_each_write_one_row(world, carol, client_for, monkeypatch):
    from training.exports import services

    monkeypatch.setattr(services, "_enqueue", lambda version_id: None)
    client = client_for(carol)
    # test_fraction 0: this world's judgments come from one prompt group, which cannot be split
    created = client.post("/api/datasets/", {"campaigns": [world.campaign.pk], "test_fraction": 0.0}, format="json",
                          REMOTE_ADDR=IP)
    assert created.status_code == 201, created.content
    version_id = created.json()["id"]
    assert client.post(f"/api/datasets/{version_id}/build/", REMOTE_ADDR=IP).status_code == 202
    assert client.post(f"/api/datasets/{world.version.pk}/rebuild/", REMOTE_ADDR=IP).status_code == 201
    for action, target in [("dataset.create", version_id), ("dataset.build", version_id)]:
        [row] = _rows(action)
        assert (row.actor, row.ip_address, row.target_type, row.target_id) == (
            carol, IP, "training.datasetversion", str(target))
    [row] = _rows("dataset.rebuild")
    assert row.details == {"from": world.version.pk}
    # refused requests write nothing
    assert client.post(f"/api/datasets/{world.version.pk}/build/").status_code == 409
    assert len(_rows("dataset.build")) == 1


def test_group_changes_write_rows_with_the_admin_as_actor(db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    target = UserFactory(username="newbie", roles=["annotator"])
    AuditLog.objects.all().delete()
    client = Client()
    client.force_login(admin)
    annotator, reviewer = Group.objects.get(name="annotator"), Group.objects.get(name="reviewer")
    form = {"username": "newbie", "is_active": "on", "groups": [reviewer.pk], "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00", "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00"}
    response = client.post(f"/admin/auth/user/{target.pk}/change/", form, REMOTE_ADDR=IP)
    assert response.status_code == 302, response.content.decode()[:2000]
    added, removed = _rows("role.add"), _rows("role.remove")
    assert len(added) == 1 and len(removed) == 1
    assert added[0].details == {"groups": ["reviewer"]} and removed[0].details == {"groups": ["annotator"]}
    for row in added + removed:
        assert (row.actor, row.ip_address, row.target_type, row.target_id) == (admin, IP, "auth.user", str(target.pk))

    # any other path (shell, scripts) is recorded too, without an actor; from the group side as well
    target.groups.add(annotator)
    reviewer.user_set.remove(target)
    target.groups.clear()
    actions = list(AuditLog.objects.filter(actor__isnull=True).order_by("id").values_list("action", "details"))
    assert actions == [("role.add", {"groups": ["annotator"]}), ("role.remove", {"groups": ["reviewer"]}),
                       ("role.remove", {"groups": ["annotator"]})]


def test_a_campaign_status_change_writes_one_row(db):
    """Any save that changes the status (admin, shell, a future API) records it; the actor is
    whoever acting_as() names (the audited admin pages wrap their views in it)."""
    from studio_platform.audit import acting_as

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)

    class _Req:
        user = admin
        META = {"REMOTE_ADDR": IP}

    with acting_as(_Req()):
        campaign.status = CampaignStatus.PAUSED
        campaign.save()
    campaign.save()  # no change: no row
    campaign.name = "renamed"
    campaign.save()  # other fields: no row
    [row] = _rows("campaign.status")
    assert row.details == {"from": "active", "to": "paused"}
    assert (row.actor, row.ip_address, row.target_id) == (admin, IP, str(campaign.pk))


def test_a_campaign_status_change_through_the_admin_change_form(db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/annotation/campaign/{campaign.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "all"):
            value = [o.pk for o in value.all()]
        if isinstance(value, (list, tuple)):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    data["status"] = CampaignStatus.CLOSED
    response = client.post(f"/admin/annotation/campaign/{campaign.pk}/change/", data, REMOTE_ADDR=IP)
    assert response.status_code == 302, [str(e) for e in response.context["adminform"].form.errors.items()]
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    [row] = _rows("campaign.status")
    assert row.details == {"from": "active", "to": "closed"} and row.actor == admin and row.ip_address == IP


def test_the_admin_lists_audit_rows_to_admins_only(db, client_for):
    carol = UserFactory(username="carol2", roles=["admin"], is_staff=True)
    staff_reviewer = UserFactory(username="rev2", roles=["reviewer"], is_staff=True)
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)
    campaign.status = CampaignStatus.PAUSED
    campaign.save()
    client = Client()
    client.force_login(carol)
    listing = client.get("/admin/studio_platform/auditlog/")
    assert listing.status_code == 200 and b"campaign.status" in listing.content
    row = AuditLog.objects.filter(action="campaign.status").get()
    assert client.get(f"/admin/studio_platform/auditlog/{row.pk}/change/").status_code == 200  # view only
    assert client.get("/admin/studio_platform/auditlog/add/").status_code == 403
    assert client.post(f"/admin/studio_platform/auditlog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(staff_reviewer)
    assert client.get("/admin/studio_platform/auditlog/").status_code == 403


def test_client_ip_honours_trusted_proxies_only(settings):
    from studio_platform.audit import client_ip

    class _Req:
        META = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.4"}

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_Req()) == "10.0.0.1"  # a client-set header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_Req()) == "198.51.100.4"  # what our one proxy saw, not the spoofable left-most
