"""The reviewers' view of a pair's spans (GET /api/review/pairs/<id>/segments/): every submitted
span per video and annotator, agreement as mean temporal IoU per (video, dimension), scoped like
the other review views (annotators 403, a draft campaign 403 for reviewers, admins everywhere)."""
from __future__ import annotations

import pytest

from annotation.models import CampaignStatus, Video
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, UserFactory, make_pairs

pytestmark = pytest.mark.django_db
DIMS = ["smoothness", "motion"]


def _submit_spans(client, campaign, spans_for):
    lease = lease_next(client, campaign.pk)
    body = submit_body(lease, segments=spans_for(lease["video_a"]["id"], lease["video_b"]["id"]))
    response = client.post(f"/api/assignments/{lease['assignment']}/submit/", body, format="json")
    assert response.status_code == 201, response.content
    return lease


def _span(video, dimension, start, end, severity=None):
    return {"video": video, "dimension": dimension, "start_frame": start, "end_frame": end, "severity": severity}


@pytest.fixture
def marked(alice, bob, client_for):
    """One pair judged by alice and bob; a third annotator holds a lease but has not submitted."""
    campaign = CampaignFactory(overlap=3, dimensions=DIMS)
    pair = make_pairs(campaign, n_pairs=1)[0]
    # alice: A smoothness 0-9 (severity 3); B motion 4-7
    _submit_spans(client_for(alice), campaign, lambda a, b: [_span(a, "smoothness", 0, 9, 3), _span(b, "motion", 4, 7)])
    # bob: A smoothness 5-14; nothing on B
    _submit_spans(client_for(bob), campaign, lambda a, b: [_span(a, "smoothness", 5, 14)])
    lease_next(client_for(UserFactory(roles=["annotator"])), campaign.pk)  # leased, not submitted: not counted
    return campaign, pair


def test_a_reviewer_sees_every_span_per_video_with_temporal_iou(marked, rita, alice, bob, client_for):
    campaign, pair = marked
    response = client_for(rita).get(f"/api/review/pairs/{pair.pk}/segments/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pair"] == pair.pk and body["dimensions"] == DIMS
    assert body["annotators"] == [{"annotator_id": alice.pk, "annotator": "alice"},
                                  {"annotator_id": bob.pk, "annotator": "bob"}]
    video_a, video_b = body["videos"]
    assert (video_a["video"], video_a["frame_count"], video_a["fps"]) == (pair.video_a_id, 24, 12.0)
    assert video_a["spans"] == [
        {"annotator": "alice", "annotator_id": alice.pk, "dimension": "smoothness", "start_frame": 0,
         "end_frame": 9, "severity": 3, "note": ""},
        {"annotator": "bob", "annotator_id": bob.pk, "dimension": "smoothness", "start_frame": 5,
         "end_frame": 14, "severity": None, "note": ""}]
    # frames 5-9 shared of 0-14; nobody marked motion on A
    assert video_a["agreement"] == {"smoothness": {"mean_tiou": round(5 / 15, 4), "annotator_pairs": 1},
                                    "motion": {"mean_tiou": None, "annotator_pairs": 0}}
    # alice marked motion on B, bob did not: they disagree (0), a pair that counts
    assert [s["annotator"] for s in video_b["spans"]] == ["alice"]
    assert video_b["agreement"] == {"smoothness": {"mean_tiou": None, "annotator_pairs": 0},
                                    "motion": {"mean_tiou": 0.0, "annotator_pairs": 1}}


def test_a_pair_without_spans_has_empty_tracks_and_no_agreement(alice, rita, client_for):
    campaign = CampaignFactory(overlap=2, dimensions=DIMS)
    pair = make_pairs(campaign, n_pairs=1)[0]
    Video.objects.filter(pk=pair.video_b_id).update(rendition_frame_count=None, rendition_fps=None)
    _submit_spans(client_for(alice), campaign, lambda a, b: [])
    body = client_for(rita).get(f"/api/review/pairs/{pair.pk}/segments/").json()
    assert [v["spans"] for v in body["videos"]] == [[], []]
    assert body["videos"][1]["frame_count"] is None
    assert all(agreement == {"mean_tiou": None, "annotator_pairs": 0}
               for video in body["videos"] for agreement in video["agreement"].values())


def test_annotators_are_refused_and_unknown_pairs_are_404(marked, alice, carol, client_for):
    _, pair = marked
    response = client_for(alice).get(f"/api/review/pairs/{pair.pk}/segments/")
    assert response.status_code == 403
    assert client_for(carol).get(f"/api/review/pairs/{pair.pk}/segments/").status_code == 200
    assert client_for(carol).get("/api/review/pairs/987654/segments/").status_code == 404


def test_a_draft_campaign_is_for_admins_only(marked, rita, carol, client_for):
    campaign, pair = marked
    campaign.status = CampaignStatus.DRAFT
    campaign.save()
    response = client_for(rita).get(f"/api/review/pairs/{pair.pk}/segments/")
    assert response.status_code == 403 and response.json()["code"] == "reviewer_scope"
    assert client_for(carol).get(f"/api/review/pairs/{pair.pk}/segments/").status_code == 200
