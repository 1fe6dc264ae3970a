"""Editing a submitted answer (annotation/services/answer_edits.py): the campaign's window, the
audit row, the original kept as a revision, the gold check scoring the first answer, and the
latest answer read by consensus, the quality cache and the dataset export."""
from __future__ import annotations

from datetime import timedelta

import pytest

from annotation.models import CampaignStatus, Dimension, GoldAnswer, Judgment, JudgmentRevision
from annotation.selectors.quality import campaign_consensus
from annotation.selectors.quality_cache import campaign_quality_version
from annotation.selectors.quality_gold import gold_scores
from annotation.services.answer_edits import MSG_EDIT_DISABLED, assignment_answers_edit
from studio_platform.errors import AnswerNotEditable, NotFound, ValidationFailed
from studio_platform.models import AuditAction, AuditLog
from tests.export.conftest import judge
from tests.export.support import read_table
from tests.factories import CampaignFactory, make_pairs
from training.exports.services import dataset_version_build, dataset_version_create

pytestmark = pytest.mark.django_db
DIMS = ["smoothness", "motion"]


@pytest.fixture
def judged(alice, bob):
    """A pair judged by alice (A better on both) and bob (B better on both), window 60 min."""
    campaign = CampaignFactory(overlap=2, dimensions=DIMS, edit_window_minutes=60)
    pair, other = make_pairs(campaign, n_pairs=2)  # two prompts: an export needs two split groups
    mine = judge(pair, alice, {"smoothness": -1, "motion": -1})
    judge(pair, bob, {"smoothness": 1, "motion": 1})
    judge(other, bob, {"smoothness": 2, "motion": 2})
    return campaign, pair, mine


def _strengths(assignment) -> dict[str, int]:
    return dict(Judgment.objects.filter(assignment=assignment).values_list("dimension__key", "strength"))


def test_an_edit_within_the_window_changes_the_answer_and_keeps_the_original(judged, alice):
    _, _, mine = judged
    edit = assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)])
    assert edit.changed == {"motion": (-1, 2)}
    assert _strengths(mine) == {"smoothness": -1, "motion": 2}
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 0)])
    revisions = list(JudgmentRevision.objects.filter(assignment=mine).values_list("from_strength", "to_strength"))
    assert revisions == [(-1, 2), (2, 0)], "every change is kept, the first 'from' is the original"
    assert _strengths(mine)["motion"] == 0


def test_an_edit_is_audited_with_the_change(judged, alice):
    _, pair, mine = judged
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("smoothness", 1), ("motion", -1)])
    log = AuditLog.objects.get(action=AuditAction.ANSWER_EDIT)
    assert log.actor == alice and log.target_id == str(mine.pk)
    assert log.details == {"pair": pair.pk, "campaign": pair.campaign_id,
                           "changes": {"smoothness": {"from": -1, "to": 1}}}, "unchanged dimensions are not listed"


def test_an_unchanged_answer_writes_nothing(judged, alice):
    _, _, mine = judged
    edit = assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", -1)])
    assert edit.changed == {}
    assert not JudgmentRevision.objects.exists() and not AuditLog.objects.filter(action=AuditAction.ANSWER_EDIT).exists()


def test_after_the_window_the_answer_is_locked(judged, alice):
    _, _, mine = judged
    later = mine.finished_at + timedelta(minutes=61)
    with pytest.raises(AnswerNotEditable) as exc:
        assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)], now=later)
    assert "60-minute edit window" in exc.value.detail
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)],
                            now=mine.finished_at + timedelta(minutes=59))
    assert _strengths(mine)["motion"] == 2


def test_a_zero_window_disables_editing(judged, alice):
    campaign, _, mine = judged
    campaign.edit_window_minutes = 0
    campaign.save()
    with pytest.raises(AnswerNotEditable) as exc:
        assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)])
    assert exc.value.detail == MSG_EDIT_DISABLED.format(name=campaign.name)


def test_a_closed_campaign_locks_its_answers(judged, alice):
    campaign, _, mine = judged
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    with pytest.raises(AnswerNotEditable):
        assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)])


def test_a_gold_answer_can_be_edited_but_the_gold_check_keeps_the_first_answer(alice):
    """Refusing edits on gold pairs only would show which pairs are gold; scoring the first answer
    means an edit cannot dodge the check instead."""
    campaign = CampaignFactory(overlap=2, dimensions=DIMS, edit_window_minutes=60)
    gold = make_pairs(campaign, n_pairs=1, is_gold=True)[0]
    for key, expected in (("smoothness", 2), ("motion", 2)):
        GoldAnswer.objects.create(pair=gold, dimension=Dimension.objects.get(key=key), strength=expected)
    mine = judge(gold, alice, {"smoothness": -1, "motion": 2})  # smoothness wrong, motion right
    before = gold_scores(campaign=campaign)[alice.pk].as_dict()
    assert before["direction_accuracy"] == 0.5
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("smoothness", 2)])
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("smoothness", 1)])
    assert _strengths(mine) == {"smoothness": 1, "motion": 2}, "the edit is stored like any other"
    assert gold_scores(campaign=campaign)[alice.pk].as_dict() == before, "the gold record is the first answer's"


def test_only_the_owner_edits_and_bad_input_stores_nothing(judged, alice, bob):
    _, _, mine = judged
    with pytest.raises(NotFound):
        assignment_answers_edit(assignment_id=mine.pk, annotator=bob, answers=[("motion", 2)])
    for answers in ([], [("motion", 3)], [("motion", True)], [("motion", 1), ("motion", 2)], [("appeal", 1)]):
        with pytest.raises(ValidationFailed):
            assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=answers)
    assert _strengths(mine) == {"smoothness": -1, "motion": -1}
    assert not JudgmentRevision.objects.exists()


def test_consensus_and_the_quality_cache_use_the_latest_answer(judged, alice):
    campaign, pair, mine = judged
    assert campaign_consensus(campaign=campaign)[(pair.pk, "motion")].direction == "tie"  # -1 vs +1
    version = campaign_quality_version(campaign_id=campaign.pk)
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)])
    assert campaign_quality_version(campaign_id=campaign.pk) != version, "cached reports are recomputed"
    consensus = campaign_consensus(campaign=campaign)[(pair.pk, "motion")]
    assert (consensus.direction, consensus.n_b, consensus.n_a) == ("b", 2, 0)


def test_the_dataset_export_carries_the_edited_answer(judged, alice, datasets_root):
    campaign, pair, mine = judged
    assignment_answers_edit(assignment_id=mine.pk, annotator=alice, answers=[("motion", 2)])
    version = dataset_version_build(version_id=dataset_version_create(campaigns=[campaign], enqueue=False).pk)
    exported = {r["judgment_id"]: r["strength"] for r in read_table(version.pk, "judgments").to_pylist()}
    edited = Judgment.objects.get(assignment=mine, dimension__key="motion")
    assert exported[edited.pk] == 2



def test_admins_set_the_edit_window_through_the_campaign_api(judged, carol, client_for):
    campaign, _, _ = judged
    client = client_for(carol)
    url = f"/api/campaigns/{campaign.pk}/"
    assert client.patch(url, {"edit_window_minutes": -1}, format="json").status_code == 400
    assert client.patch(url, {"edit_window_minutes": 7 * 24 * 60 + 1}, format="json").status_code == 400
    response = client.patch(url, {"edit_window_minutes": 0}, format="json")
    assert response.status_code == 200 and response.json()["edit_window_minutes"] == 0
    campaign.refresh_from_db()
    assert campaign.edit_window_minutes == 0
