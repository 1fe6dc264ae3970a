"""Finding 3: gold can be neither dodged nor identified.

Before the fix, skipping a qualification gold pair released it for good: once every gold pair was
skipped, leasing fell back to real pairs, and the annotator worked on without ever being checked.
And `/progress/` counted only real submissions, so a counter that did not move after a submission
said that pair was gold."""
from __future__ import annotations

import uuid

import pytest

from annotation.models import AnnotatorState, AnnotatorStatus
from annotation.selectors.invariants import annotation_invariant_violations
from annotation.services.gold import pair_mark_gold
from annotation.services.leasing import assignment_lease_next
from annotation.services.submissions import Answer, assignment_skip, judgment_submit
from demo import SimulatedAnnotator
from studio_platform.errors import AnnotatorPaused
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory
from tests.quality_db.support import build_world, true_answers

pytestmark = pytest.mark.django_db


def _campaign_with_gold(n_gold: int, **campaign_kwargs):
    campaign = CampaignFactory(**{"overlap": 1, **campaign_kwargs})
    world = build_world(campaign, n_prompts=2)
    gold = [pair_mark_gold(pair=pair, answers=true_answers(world, pair)) for pair in world.pairs[:n_gold]]
    return campaign, world, gold


def _skip(assignment):
    assignment_skip(assignment_id=assignment.pk, annotator=assignment.annotator, client_key=uuid.uuid4().hex)


def test_skipping_qualification_gold_never_reaches_real_pairs(bob):
    campaign, world, gold = _campaign_with_gold(2, qualification_gold_count=2, min_gold_answers=2,
                                                min_gold_accuracy=0.6)
    gold_ids = {pair.pk for pair in gold}
    for _ in range(6):  # skip, skip, and the skipped gold comes back again and again
        assignment = assignment_lease_next(campaign=campaign, annotator=bob)
        assert assignment is not None and assignment.pair_id in gold_ids
        _skip(assignment)
    assert annotation_invariant_violations(include_orphans=False) == {}

    # answering the gold badly ("strength 2 everywhere") is what it takes to get further: a pause
    bad = SimulatedAnnotator(bad=True, seed=2)
    for _ in range(2):
        assignment = assignment_lease_next(campaign=campaign, annotator=bob)
        assert assignment.pair_id in gold_ids
        pair = assignment.pair
        strengths = bad.judge(world.truth[pair.video_a_id], world.truth[pair.video_b_id], list(true_answers(world, pair)))
        judgment_submit(assignment_id=assignment.pk, annotator=bob, client_key=uuid.uuid4().hex,
                        video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                        answers=[Answer(key, value) for key, value in strengths.items()])
    with pytest.raises(AnnotatorPaused):
        assignment_lease_next(campaign=campaign, annotator=bob)
    assert AnnotatorStatus.objects.get(campaign=campaign, annotator=bob).state == AnnotatorState.PAUSED


def test_a_skipped_gold_pair_comes_back_outside_qualification_too(alice):
    campaign, world, gold = _campaign_with_gold(1, gold_rate=1.0, min_gold_accuracy=0.0)
    first = assignment_lease_next(campaign=campaign, annotator=alice)
    assert first.pair_id == gold[0].pk
    _skip(first)
    again = assignment_lease_next(campaign=campaign, annotator=alice)
    assert again.pair_id == gold[0].pk and again.pk == first.pk  # the same assignment, leased again
    assert annotation_invariant_violations(include_orphans=False) == {}


def test_progress_moves_alike_after_a_gold_and_a_real_submission(alice, client_for):
    campaign, world, gold = _campaign_with_gold(1, qualification_gold_count=1, min_gold_accuracy=0.0)
    client = client_for(alice)
    url = f"/api/campaigns/{campaign.pk}/progress/"

    def submit_and_diff():
        before = client.get(url).json()
        lease = lease_next(client, campaign.pk)
        assert client.post(f"/api/assignments/{lease['assignment']}/submit/", submit_body(lease),
                           format="json").status_code == 201
        after = client.get(url).json()
        return {key: (before.get(key), after.get(key)) for key in set(before) | set(after)
                if key != "mine" and before.get(key) != after.get(key)}

    gold_change = submit_and_diff()  # qualification: the first lease is the gold pair
    real_change = submit_and_diff()  # overlap 1: this submission also completes a real pair
    assert gold_change == {"assignments_submitted": (0, 1)}
    assert real_change == {"assignments_submitted": (1, 2)}
