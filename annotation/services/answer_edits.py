"""Annotators change a submitted answer within the campaign's edit window.

An edit carries new strengths, a new set of temporal segments, or both. A segment list replaces the
assignment's spans whole (docs/segments.md; same rules as on submit), and the audit row keeps the
old and new lists: spans have no revision table, the audit log is their history.

The Judgment row takes the new strength (everything downstream reads the latest answer) and a
JudgmentRevision row keeps the old and new values, so the original is never lost; the edit is
audited. Gold pairs are edited like any other: refusing only them would tell an annotator which
pairs were gold (a locked answer among open ones), and gold pairs are shown to everyone. The gold
check scores the answer as first submitted (selectors/quality_gold.py), so an edit cannot dodge it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from annotation.models import (
    Assignment,
    AssignmentState,
    CampaignStatus,
    Dimension,
    Judgment,
    JudgmentRevision,
    Segment,
    Video,
)
from annotation.models.history import edit_deadline
from annotation.selectors.segments import assignment_segments
from annotation.services.answer_values import strengths_check
from annotation.services.segments import SegmentAnswer, segments_check
from studio_platform.audit import audit_record
from studio_platform.errors import MSG_LEASE_NOT_YOURS, AnswerNotEditable, NotFound, ValidationFailed
from studio_platform.models import AuditAction

MSG_EDIT_DUPLICATE = "Each dimension may be sent once per edit (repeated: {repeated})."
MSG_EDIT_UNKNOWN = "These dimensions were not answered on this pair: {unknown}."
MSG_EDIT_NOT_SUBMITTED = "Only submitted answers can be edited; this pair was {state}."
MSG_EDIT_DISABLED = "Answers in campaign {name!r} cannot be edited after submitting (ask an admin to set an edit window)."
MSG_EDIT_WINDOW_OVER = "The {minutes}-minute edit window of this answer closed at {until}; it can no longer be changed."
MSG_EDIT_CLOSED = "Campaign {name!r} is closed; its answers can no longer be changed."
MSG_EDIT_EMPTY = ("Send the answers to change, a new list of segments, or both: "
                  "{\"answers\": [{\"dimension\": key, \"strength\": -2..2}], \"segments\": [...]}.")


@dataclass(frozen=True)
class AnswerEdit:
    assignment: Assignment
    changed: dict[str, tuple[int, int]]  # dimension key -> (from, to); empty when nothing changed
    segments_changed: bool = False  # whether the spans were replaced by a different set


def _check_editable(assignment: Assignment, now: datetime) -> None:
    campaign = assignment.campaign
    if assignment.state != AssignmentState.SUBMITTED:
        raise AnswerNotEditable(MSG_EDIT_NOT_SUBMITTED.format(state=assignment.state))
    if campaign.status == CampaignStatus.CLOSED:
        raise AnswerNotEditable(MSG_EDIT_CLOSED.format(name=campaign.name))
    until = edit_deadline(finished_at=assignment.finished_at, edit_window_minutes=campaign.edit_window_minutes)
    if until is None:
        raise AnswerNotEditable(MSG_EDIT_DISABLED.format(name=campaign.name))
    if now > until:
        raise AnswerNotEditable(MSG_EDIT_WINDOW_OVER.format(minutes=campaign.edit_window_minutes,
                                                            until=until.isoformat(timespec="seconds")))


def _checked_segments(assignment: Assignment, segments: list[SegmentAnswer]) -> tuple[list[SegmentAnswer], dict]:
    """The new spans in stored order (or ValidationFailed) and the campaign's dimension key -> id."""
    pair = assignment.pair
    frame_counts = dict(Video.objects.filter(pk__in=[pair.video_a_id, pair.video_b_id])
                        .values_list("id", "rendition_frame_count"))
    dimension_ids = dict(Dimension.objects.filter(campaigns=assignment.campaign_id).order_by("order", "id")
                         .values_list("key", "id"))
    return segments_check(segments, frame_counts=frame_counts, dimension_order=list(dimension_ids)), dimension_ids


def assignment_answers_edit(*, assignment_id: int, annotator, answers: list[tuple[str, int]] = (),
                            segments: list[SegmentAnswer] | None = None, now: datetime | None = None,
                            request=None) -> AnswerEdit:
    """Change some or all strengths (A/B terms) and/or replace the spans of the annotator's own
    submitted assignment. `segments=None` leaves the spans alone; `[]` removes them all. Everything
    is checked before anything is written."""
    answers = list(answers)
    if not answers and segments is None:
        raise ValidationFailed(MSG_EDIT_EMPTY)
    if answers:
        strengths_check(answers, msg_repeated=MSG_EDIT_DUPLICATE)
    now = now or timezone.now()
    with transaction.atomic():
        assignment = (Assignment.objects.select_for_update(of=("self",)).select_related("pair", "campaign")
                      .filter(pk=assignment_id, annotator=annotator).first())
        if assignment is None:
            raise NotFound(MSG_LEASE_NOT_YOURS)
        _check_editable(assignment, now)
        judgments = {j.dimension.key: j for j in Judgment.objects.filter(assignment=assignment).select_related("dimension")}
        unknown = sorted({key for key, _ in answers} - judgments.keys())
        if unknown:
            raise ValidationFailed(MSG_EDIT_UNKNOWN.format(unknown=", ".join(unknown)))
        changed = {key: (judgments[key].strength, strength) for key, strength in answers
                   if judgments[key].strength != strength}
        old_spans = new_spans = None
        if segments is not None:
            checked, dimension_ids = _checked_segments(assignment, list(segments))
            old_spans = assignment_segments(assignment_ids=[assignment.pk]).get(assignment.pk, [])
            new_spans = [span.as_payload() for span in checked]
        segments_changed = old_spans != new_spans
        if not changed and not segments_changed:
            return AnswerEdit(assignment=assignment, changed={})
        if changed:
            JudgmentRevision.objects.bulk_create([
                JudgmentRevision(judgment=judgments[key], assignment=assignment, pair_id=assignment.pair_id,
                                 from_strength=old, to_strength=new, edited_by=annotator)
                for key, (old, new) in changed.items()
            ])
            for key, (_, new) in changed.items():
                judgments[key].strength = new
            Judgment.objects.bulk_update([judgments[key] for key in changed], ["strength"])
        if segments_changed:
            Segment.objects.filter(assignment=assignment).delete()
            Segment.objects.bulk_create([
                Segment(assignment=assignment, video_id=span.video_id, annotator_id=assignment.annotator_id,
                        dimension_id=dimension_ids[span.dimension], start_frame=span.start_frame,
                        end_frame=span.end_frame, severity=span.severity, note=span.note)
                for span in checked
            ])
        details = {"pair": assignment.pair_id, "campaign": assignment.campaign_id,
                   "changes": {key: {"from": old, "to": new} for key, (old, new) in changed.items()}}
        if segments_changed:
            details["segments"] = {"from": old_spans, "to": new_spans}
        audit_record(action=AuditAction.ANSWER_EDIT, target=assignment, actor=annotator, request=request,
                     details=details)
        return AnswerEdit(assignment=assignment, changed=changed, segments_changed=segments_changed)
