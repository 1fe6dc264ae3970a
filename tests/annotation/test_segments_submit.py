"""Temporal segments on submit (docs/segments.md): every rule is a 400 with a clear message and
nothing stored (no span, no judgment, the lease still live); valid spans are stored in the submit's
own write and come back on replay and on GET /api/assignments/<id>/."""
import pytest

from annotation.models import Assignment, AssignmentState, Judgment, Segment, Video
from annotation.services.segments import MAX_SPANS_PER_TRACK
from tests.annotation.support import lease_next, submit_body, submit_lease
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db

FRAMES = 24  # the factories' rendition_frame_count


def _span(lease, side="video_a", dimension="smoothness", start=2, end=5, **extra) -> dict:
    return {"video": lease[side]["id"], "dimension": dimension, "start_frame": start, "end_frame": end, **extra}


def _assert_nothing_stored(lease):
    assert Segment.objects.count() == 0
    assert Judgment.objects.count() == 0
    assert Assignment.objects.get(pk=lease["assignment"]).state == AssignmentState.LEASED


def test_spans_are_stored_with_the_submission_and_returned_in_stored_order(leased):
    client, lease = leased
    spans = [_span(lease, "video_b", "motion", 10, 12, severity=3, note="arm snaps"),
             _span(lease, "video_a", "character", 0, 23, severity=1),
             _span(lease, "video_a", "smoothness", 14, 20),
             _span(lease, "video_a", "smoothness", 2, 5, severity=2)]
    response = submit_lease(client, lease, submit_body(lease, segments=spans))

    assert response.status_code == 201, response.content
    a, b = lease["video_a"]["id"], lease["video_b"]["id"]  # a < b (pair_videos_ordered)
    # by video id, then dimension order (smoothness before motion before character), then start frame
    expected = [
        {"video": a, "dimension": "smoothness", "start_frame": 2, "end_frame": 5, "severity": 2, "note": ""},
        {"video": a, "dimension": "smoothness", "start_frame": 14, "end_frame": 20, "severity": None, "note": ""},
        {"video": a, "dimension": "character", "start_frame": 0, "end_frame": 23, "severity": 1, "note": ""},
        {"video": b, "dimension": "motion", "start_frame": 10, "end_frame": 12, "severity": 3, "note": "arm snaps"},
    ]
    assert response.json()["segments"] == expected
    stored = Segment.objects.get(video_id=b)
    assert (stored.assignment_id, stored.annotator.username, stored.dimension.key) == (
        lease["assignment"], "alice", "motion")
    detail = client.get(f"/api/assignments/{lease['assignment']}/").json()
    assert detail["result"]["segments"] == expected


def test_a_replay_with_the_same_key_returns_the_stored_spans_and_writes_nothing(leased):
    client, lease = leased
    body = submit_body(lease, segments=[_span(lease, severity=2, note="judder")])
    first = submit_lease(client, lease, body)
    again = submit_lease(client, lease, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["segments"] == first.json()["segments"] == [
        {**_span(lease), "severity": 2, "note": "judder"}]
    assert Segment.objects.count() == 1


def test_a_submission_without_spans_still_works_and_answers_an_empty_list(leased):
    client, lease = leased
    response = submit_lease(client, lease, submit_body(lease))
    assert response.status_code == 201
    assert response.json()["segments"] == []
    assert Segment.objects.count() == 0 and Judgment.objects.count() == 6


def test_touching_spans_share_no_frame_and_are_allowed(leased):
    client, lease = leased
    response = submit_lease(client, lease, submit_body(lease, segments=[_span(lease, start=0, end=9),
                                                                   _span(lease, start=10, end=10)]))
    assert response.status_code == 201, response.content
    assert Segment.objects.count() == 2


def _other_pair_video(lease) -> int:
    return Video.objects.exclude(pk__in=[lease["video_a"]["id"], lease["video_b"]["id"]]).first().pk


@pytest.mark.parametrize("spans,message", [
    pytest.param(lambda l: [_span(l, start=-1, end=3)], "frames -1-3 are outside video", id="negative-start"),
    pytest.param(lambda l: [_span(l, start=6, end=5)], "frames 6-5 are outside video", id="end-before-start"),
    pytest.param(lambda l: [_span(l, start=20, end=FRAMES)], f"< {FRAMES}", id="end-past-last-frame"),
    pytest.param(lambda l: [_span(l, "video_b", start=FRAMES, end=FRAMES)], "outside video", id="start-past-end"),
    pytest.param(lambda l: [{**_span(l), "video": _other_pair_video(l)}], "is not one of this pair's videos",
                 id="video-of-another-pair"),
    pytest.param(lambda l: [_span(l, dimension="vibes")], "dimension 'vibes' is not part of this campaign",
                 id="unknown-dimension"),
    pytest.param(lambda l: [_span(l, start=2, end=8), _span(l, start=8, end=12)], "Spans overlap; merge them",
                 id="overlap-one-shared-frame"),
    pytest.param(lambda l: [_span(l, start=0, end=20), _span(l, start=4, end=6)], "Spans overlap; merge them",
                 id="overlap-contained"),
    pytest.param(lambda l: [_span(l, start=i, end=i) for i in range(MAX_SPANS_PER_TRACK + 1)],
                 "At most 16 spans per video and dimension", id="too-many-on-one-track"),
    pytest.param(lambda l: [_span(l, severity=4)], "severity must be 1 (mild), 2 (clear), 3 (severe) or null",
                 id="severity-too-high"),
    pytest.param(lambda l: [_span(l, severity=0)], "severity must be", id="severity-zero"),
    pytest.param(lambda l: [_span(l, note="x" * 201)], "note is limited to 200 characters (got 201)", id="long-note"),
])
def test_a_broken_span_is_refused_with_a_clear_message_and_nothing_is_stored(leased, spans, message):
    client, lease = leased
    response = submit_lease(client, lease, submit_body(lease, segments=spans(lease)))
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"], response.json()
    _assert_nothing_stored(lease)
    # the lease is still live: the corrected submission goes through
    assert submit_lease(client, lease, submit_body(lease, segments=[_span(lease)])).status_code == 201


def test_a_video_with_no_known_frame_count_takes_no_spans(leased):
    client, lease = leased
    Video.objects.filter(pk=lease["video_b"]["id"]).update(rendition_frame_count=None)
    response = submit_lease(client, lease, submit_body(lease, segments=[_span(lease, "video_b")]))
    assert response.status_code == 400
    assert "has no known frame count" in response.json()["detail"]
    _assert_nothing_stored(lease)
    # its partner still takes spans
    assert submit_lease(client, lease, submit_body(lease, segments=[_span(lease, "video_a")])).status_code == 201


@pytest.mark.parametrize("field,value", [("start_frame", "3"), ("start_frame", 2.5), ("severity", True),
                                         ("video", None), ("dimension", None)])
def test_a_span_of_the_wrong_type_is_a_field_error(leased, field, value):
    client, lease = leased
    response = submit_lease(client, lease, submit_body(lease, segments=[{**_span(lease), field: value}]))
    assert response.status_code == 400
    assert field in str(response.json()["fields"]["segments"])
    _assert_nothing_stored(lease)


def test_more_spans_than_a_submission_may_carry_are_refused_before_any_check(leased):
    client, lease = leased
    spans = [_span(lease, start=i % FRAMES, end=i % FRAMES) for i in range(201)]
    response = submit_lease(client, lease, submit_body(lease, segments=spans))
    assert response.status_code == 400
    assert "200" in str(response.json()["fields"]["segments"])
    _assert_nothing_stored(lease)


def test_spans_work_with_the_rating_protocol_too(alice, client_for):
    campaign = CampaignFactory(overlap=1, protocol="rating")
    make_pairs(campaign, n_pairs=1)
    client = client_for(alice)
    lease = lease_next(client, campaign.pk)
    ratings = [{"video": lease[side]["id"], "dimension": d["key"], "score": 3}
               for side in ("video_a", "video_b") for d in lease["dimensions"]]
    response = submit_lease(client, lease, submit_body(lease, answers=[], ratings=ratings,
                                                  segments=[_span(lease, "video_b", "motion", 1, 1)]))
    assert response.status_code == 201, response.content
    assert [s["start_frame"] for s in response.json()["segments"]] == [1]
