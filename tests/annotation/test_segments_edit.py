"""Editing temporal segments within the edit window (docs/segments.md): a `segments` list replaces
the assignment's spans under the submit's rules, the audit row keeps the old and new lists, the
history page shows them, and outside the window nothing changes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Assignment, Judgment, Segment
from studio_platform.models import AuditAction, AuditLog
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db
DIMS = ["smoothness", "motion"]


@pytest.fixture
def submitted(alice, client_for):
    """alice's submitted assignment with one span on video A (smoothness 2-5, severity 2)."""
    campaign = CampaignFactory(overlap=2, dimensions=DIMS, edit_window_minutes=60)
    make_pairs(campaign, n_pairs=1)
    client = client_for(alice)
    lease = lease_next(client, campaign.pk)
    body = submit_body(lease, strength=-1, segments=[_span(lease, severity=2)])
    assert client.post(f"/api/assignments/{lease['assignment']}/submit/", body, format="json").status_code == 201
    return client, lease


def _span(lease, side="video_a", dimension="smoothness", start=2, end=5, **extra) -> dict:
    return {"video": lease[side]["id"], "dimension": dimension, "start_frame": start, "end_frame": end, **extra}


def _edit(client, lease, body):
    return client.post(f"/api/assignments/{lease['assignment']}/answers/", body, format="json")


def _stored(lease) -> list[tuple]:
    return list(Segment.objects.filter(assignment_id=lease["assignment"]).order_by("video_id", "start_frame")
                .values_list("video_id", "dimension__key", "start_frame", "end_frame", "severity", "note"))


def test_an_edit_with_segments_replaces_the_spans_and_is_audited_with_both_lists(submitted, alice):
    client, lease = submitted
    new = [_span(lease, "video_b", "motion", 7, 9, note="late hop"), _span(lease, start=0, end=1)]
    response = _edit(client, lease, {"segments": new})

    assert response.status_code == 200, response.content
    a, b = lease["video_a"]["id"], lease["video_b"]["id"]
    assert _stored(lease) == [(a, "smoothness", 0, 1, None, ""), (b, "motion", 7, 9, None, "late hop")]
    body = response.json()
    assert body["segments_changed"] is True and body["changed"] == []
    assert body["segments"] == [
        {"video": a, "dimension": "smoothness", "start_frame": 0, "end_frame": 1, "severity": None, "note": ""},
        {"video": b, "dimension": "motion", "start_frame": 7, "end_frame": 9, "severity": None, "note": "late hop"}]
    log = AuditLog.objects.get(action=AuditAction.ANSWER_EDIT)
    assert log.actor == alice and log.target_id == str(lease["assignment"])
    assert log.details["changes"] == {}
    assert log.details["segments"] == {
        "from": [{"video": a, "dimension": "smoothness", "start_frame": 2, "end_frame": 5, "severity": 2, "note": ""}],
        "to": body["segments"]}
    assert {j.strength for j in Judgment.objects.filter(assignment_id=lease["assignment"])} == {-1}


def test_answers_and_segments_change_together_in_one_audited_edit(submitted):
    client, lease = submitted
    response = _edit(client, lease, {"answers": [{"dimension": "motion", "strength": 2}], "segments": []})
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == ["motion"] and response.json()["segments"] == []
    assert _stored(lease) == []
    log = AuditLog.objects.get(action=AuditAction.ANSWER_EDIT)
    assert log.details["changes"] == {"motion": {"from": -1, "to": 2}}
    assert log.details["segments"]["to"] == []


def test_an_edit_of_answers_alone_leaves_the_spans_alone(submitted):
    client, lease = submitted
    before = _stored(lease)
    assert _edit(client, lease, {"answers": [{"dimension": "motion", "strength": 1}]}).status_code == 200
    assert _stored(lease) == before
    assert "segments" not in AuditLog.objects.get(action=AuditAction.ANSWER_EDIT).details


def test_the_same_spans_again_write_nothing(submitted):
    client, lease = submitted
    response = _edit(client, lease, {"segments": [_span(lease, severity=2)]})
    assert response.status_code == 200 and response.json()["segments_changed"] is False
    assert not AuditLog.objects.filter(action=AuditAction.ANSWER_EDIT).exists()


def test_an_edit_with_neither_answers_nor_segments_is_refused(submitted):
    client, lease = submitted
    response = _edit(client, lease, {})
    assert response.status_code == 400
    assert "Send the answers to change, a new list of segments, or both" in response.json()["detail"]


@pytest.mark.parametrize("spans,message", [
    pytest.param(lambda l: [_span(l, start=0, end=24)], "are outside video", id="past-the-last-frame"),
    pytest.param(lambda l: [_span(l, start=3, end=3), _span(l, start=1, end=3)], "Spans overlap", id="overlap"),
    pytest.param(lambda l: [_span(l, dimension="appeal")], "is not part of this campaign", id="other-dimension"),
    pytest.param(lambda l: [{**_span(l), "video": l["video_a"]["id"] + 1000}], "is not one of this pair's videos",
                 id="wrong-video"),
    pytest.param(lambda l: [_span(l, severity=5)], "severity must be", id="bad-severity"),
    pytest.param(lambda l: [_span(l, note="n" * 201)], "note is limited", id="long-note"),
])
def test_a_broken_span_in_an_edit_changes_nothing(submitted, spans, message):
    """The answers sent beside it are not applied either: everything is checked before any write."""
    client, lease = submitted
    before = _stored(lease)
    response = _edit(client, lease, {"answers": [{"dimension": "motion", "strength": 2}], "segments": spans(lease)})
    assert response.status_code == 400 and message in response.json()["detail"], response.content
    assert _stored(lease) == before
    assert {j.strength for j in Judgment.objects.filter(assignment_id=lease["assignment"])} == {-1}
    assert not AuditLog.objects.filter(action=AuditAction.ANSWER_EDIT).exists()


def test_outside_the_edit_window_the_spans_are_locked(submitted):
    client, lease = submitted
    Assignment.objects.filter(pk=lease["assignment"]).update(finished_at=timezone.now() - timedelta(minutes=61))
    before = _stored(lease)
    response = _edit(client, lease, {"segments": []})
    assert response.status_code == 409 and response.json()["code"] == "answer_not_editable"
    assert "60-minute edit window" in response.json()["detail"]
    assert _stored(lease) == before


def test_someone_elses_assignment_is_not_found(submitted, bob, client_for):
    _, lease = submitted
    response = _edit(client_for(bob), lease, {"segments": []})
    assert response.status_code == 404
    assert len(Segment.objects.all()) == 1


def test_my_history_shows_my_spans(submitted):
    client, lease = submitted
    item = client.get("/api/me/history/").json()["results"][0]
    assert item["assignment"] == lease["assignment"]
    assert item["segments"] == [{**_span(lease), "severity": 2, "note": ""}]
