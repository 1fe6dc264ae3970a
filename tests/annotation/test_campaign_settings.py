"""annotation/services/campaigns.py, the campaign API's admin writes and `manage.py create_campaign`."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from annotation.models import Campaign, CampaignStatus, Dimension, Pair
from annotation.services import campaigns as svc
from annotation.services.campaigns import CampaignInvalid, CampaignSettings, campaign_create, campaign_update
from studio_platform.models import AuditLog
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db

GOOD = {"name": "Spring I2V", "slug": "spring-i2v", "dimensions": ["smoothness", "motion"], "overlap": 2,
        "lease_ttl_seconds": 300, "gold_rate": 0.1, "qualification_gold_count": 2, "pairing": "budget",
        "pair_budget_per_prompt": 4, "instructions": "Watch both clips.", "status": "active",
        "guidelines": {"motion": "Judge how much the subject moves."}}


def test_a_campaign_is_created_with_every_setting_and_audited(carol):
    campaign = campaign_create(settings=CampaignSettings().updated(GOOD))
    campaign.refresh_from_db()
    assert (campaign.overlap, campaign.lease_ttl_seconds, campaign.pairing, campaign.pair_budget_per_prompt) == \
        (2, 300, "budget", 4)
    assert sorted(campaign.dimensions.values_list("key", flat=True)) == ["motion", "smoothness"]
    assert Dimension.objects.get(key="motion").guideline == "Judge how much the subject moves."
    row = AuditLog.objects.get(action="campaign.create")
    assert row.target_id == str(campaign.pk) and row.details["slug"] == "spring-i2v"


def test_every_bad_setting_is_reported_at_once_and_nothing_is_stored():
    bad = {"name": " ", "slug": "Not A Slug", "dimensions": ["smoothness", "sparkle"], "overlap": 0,
           "gold_rate": 1.5, "qualification_gold_count": 3, "pairing": "budget", "protocol": "essay",
           "guidelines": {"appeal": "x"}}
    with pytest.raises(CampaignInvalid) as caught:
        campaign_create(settings=CampaignSettings().updated(bad))
    fields = caught.value.extra["fields"]
    assert fields["name"] == [svc.MSG_REQUIRED]
    assert fields["slug"] == [svc.MSG_SLUG]
    assert fields["overlap"] == [svc.MSG_RANGE.format(low=1, high=50)]
    assert fields["gold_rate"] == [svc.MSG_RANGE.format(low=0.0, high=1.0)]
    assert fields["pair_budget_per_prompt"] == [svc.MSG_BUDGET_REQUIRED]
    assert fields["protocol"][0].startswith("Must be one of: pairwise")
    assert "sparkle" in fields["dimensions"][0]
    assert fields["guidelines"] == [svc.MSG_GUIDELINE_NOT_CHOSEN.format(keys="appeal")]
    assert not Campaign.objects.exists() and not AuditLog.objects.exists()


def test_a_taken_slug_and_cross_field_rules_are_refused():
    CampaignFactory(slug="taken")
    errors = svc.campaign_settings_errors(CampaignSettings(name="x", slug="taken", dimensions=("motion",),
                                                           overlap=2, adaptive_overlap=True, adaptive_min_votes=3))
    assert errors == {"slug": [svc.MSG_SLUG_TAKEN],
                      "adaptive_min_votes": [svc.MSG_ADAPTIVE_ABOVE_OVERLAP.format(overlap=2)]}


def test_an_update_changes_only_what_it_names_and_lifts_pair_overlaps(carol):
    campaign = CampaignFactory(overlap=2, instructions="old")
    pairs = make_pairs(campaign, n_pairs=2)
    Pair.objects.filter(pk=pairs[0].pk).update(taken=2)
    campaign_update(campaign_id=campaign.pk, changes={"overlap": 1, "instructions": "new"})
    campaign.refresh_from_db()
    assert (campaign.overlap, campaign.instructions, campaign.lease_ttl_seconds) == (1, "new", 600)
    assert dict(Pair.objects.values_list("pk", "overlap")) == {pairs[0].pk: 2, pairs[1].pk: 1}  # never below taken
    row = AuditLog.objects.get(action="campaign.update")
    assert row.details["changed"] == {"overlap": [2, 1], "instructions": ["old", "new"]}


def test_archiving_closes_the_campaign_once():
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)
    svc.campaign_archive(campaign_id=campaign.pk)
    svc.campaign_archive(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert AuditLog.objects.filter(action="campaign.archive").count() == 1


# --- API ---------------------------------------------------------------------------------------

def test_admins_create_and_edit_through_the_api(client_for, carol):
    client = client_for(carol)
    created = client.post("/api/campaigns/", GOOD, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["pairing"] == "budget" and [d["key"] for d in body["dimensions"]] == ["smoothness", "motion"]
    changed = client.patch(f"/api/campaigns/{body['id']}/", {"gold_rate": 0.2}, format="json")
    assert changed.status_code == 200 and changed.json()["gold_rate"] == 0.2
    listed = client.get("/api/campaigns/").json()["results"]
    assert listed[0]["gold_rate"] == 0.2 and listed[0]["pairs"] == 0


def test_the_admins_list_is_newest_first_whatever_was_edited_last(client_for, carol):
    first, second, third = (CampaignFactory() for _ in range(3))
    client = client_for(carol)
    # an update rewrites the row, which moves it in an unordered heap scan
    assert client.patch(f"/api/campaigns/{first.pk}/", {"overlap": 2}, format="json").status_code == 200
    listed = client.get("/api/campaigns/?limit=2").json()
    assert [c["id"] for c in listed["results"]] == [third.pk, second.pk]
    assert [c["id"] for c in client.get("/api/campaigns/?limit=2&offset=2").json()["results"]] == [first.pk]


def test_the_api_returns_field_errors_from_the_service(client_for, carol):
    response = client_for(carol).post("/api/campaigns/", {**GOOD, "overlap": 99, "slug": "a b"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"] == svc.MSG_INVALID
    assert body["fields"] == {"overlap": [svc.MSG_RANGE.format(low=1, high=50)], "slug": [svc.MSG_SLUG]}


def test_type_errors_use_the_same_field_shape(client_for, carol):
    response = client_for(carol).post("/api/campaigns/", {**GOOD, "overlap": "three"}, format="json")
    assert response.status_code == 400 and "overlap" in response.json()["fields"]


def test_annotators_read_the_short_shape_and_cannot_write(client_for, alice):
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)
    client = client_for(alice)
    assert "gold_rate" not in client.get(f"/api/campaigns/{campaign.pk}/").json()
    assert client.post("/api/campaigns/", GOOD, format="json").status_code == 403
    assert client.patch(f"/api/campaigns/{campaign.pk}/", {"overlap": 5}, format="json").status_code == 403
    assert client.post(f"/api/campaigns/{campaign.pk}/archive/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).overlap == 3


# --- manage.py create_campaign -----------------------------------------------------------------

def test_the_command_prints_the_new_id():
    out = io.StringIO()
    call_command("create_campaign", "--name", "CLI", "--slug", "cli-made", "--dimensions", "motion,appeal",
                 "--overlap", "2", "--pairing", "budget", "--pair-budget", "3", "--status", "active", "--edit-window", "0",
                 stdout=out)
    campaign = Campaign.objects.get(slug="cli-made")
    assert out.getvalue().strip() == str(campaign.pk)
    assert (campaign.pair_budget_per_prompt, campaign.dimensions.count(), campaign.edit_window_minutes) == (3, 2, 0)


def test_the_command_names_each_bad_flag():
    with pytest.raises(CommandError) as caught:
        call_command("create_campaign", "--name", "CLI", "--slug", "cli", "--lease-ttl", "5", "--pairing", "budget")
    text = str(caught.value)
    assert "--lease-ttl: Must be between 30 and 86400." in text and "--pair-budget:" in text
    assert not Campaign.objects.exists()


def test_api_writes_are_audited_with_the_admin_and_their_address(client_for, carol):
    client = client_for(carol)
    created = client.post("/api/campaigns/", GOOD, format="json", REMOTE_ADDR="203.0.113.9").json()
    client.patch(f"/api/campaigns/{created['id']}/", {"overlap": 3}, format="json", REMOTE_ADDR="203.0.113.9")
    client.post(f"/api/campaigns/{created['id']}/archive/", REMOTE_ADDR="203.0.113.9")
    rows = AuditLog.objects.filter(action__in=["campaign.create", "campaign.update", "campaign.archive"])
    assert sorted(r.action for r in rows) == ["campaign.archive", "campaign.create", "campaign.update"]
    assert {(r.actor_id, r.ip_address, r.target_id) for r in rows} == {(carol.pk, "203.0.113.9", str(created["id"]))}
