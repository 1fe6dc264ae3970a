"""Domain errors raised by services. Each carries an HTTP status and a stable code; the API's
exception handler turns them into `{"code": ..., "detail": ...}` responses. Messages say what to do."""
from __future__ import annotations


class StudioError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, detail: str, *, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class ValidationFailed(StudioError):
    """Input is malformed; nothing was stored."""

    status_code = 400
    code = "invalid"


class NotFound(StudioError):
    status_code = 404
    code = "not_found"


class CampaignNotActive(StudioError):
    """The campaign is paused, closed or still a draft."""

    status_code = 409
    code = "campaign_not_active"


class LeaseExpired(StudioError):
    """The lease ran out before the request arrived; the pair was or will be offered again."""

    status_code = 409
    code = "lease_expired"


class LeaseFinished(StudioError):
    """The assignment was already submitted, skipped or flagged by another request."""

    status_code = 409
    code = "lease_finished"


class TooManyLeases(StudioError):
    status_code = 409
    code = "too_many_leases"


class IdempotencyConflict(StudioError):
    """The client key was already used for a different request."""

    status_code = 409
    code = "idempotency_conflict"


class ReviewerScopeDenied(StudioError):
    """A reviewer acted outside what reviewers may touch (themselves, an admin, a draft campaign)."""

    status_code = 403
    code = "reviewer_scope"


class AnnotatorPaused(StudioError):
    """The annotator is paused in this campaign (gold check or a reviewer); `reason` says why."""

    status_code = 403
    code = "annotator_paused"


class AnswerNotEditable(StudioError):
    """A submitted answer can no longer be changed (edit window over, editing disabled, campaign closed)."""

    status_code = 409
    code = "answer_not_editable"


class ImportRejected(StudioError):
    """A manifest had bad rows; the whole import was rolled back."""

    status_code = 400
    code = "import_rejected"


MSG_LEASE_EXPIRED = "This lease expired; your answers were not stored. Request the next pair to continue."
MSG_LEASE_NOT_YOURS = "No such assignment for this user."
MSG_LEASE_FINISHED = "This assignment was already {state}; nothing was changed."
MSG_CAMPAIGN_NOT_ACTIVE = "Campaign {name!r} is {status}; ask an admin to activate it."
MSG_TOO_MANY_LEASES = "You already hold {count} open pairs; submit or skip one before requesting another."
MSG_MISSING_DIMENSIONS = "Answer every dimension of this campaign (missing: {missing}) or skip/flag the pair."
MSG_UNKNOWN_DIMENSIONS = "These dimensions are not part of this campaign: {unknown}."
MSG_PAIR_MISMATCH = "video_a/video_b ({given}) do not match this assignment's pair ({expected})."
MSG_IDEMPOTENCY_CONFLICT = "client_key {key!r} was already used for another request; generate a new key per submission."
MSG_ANNOTATOR_PAUSED = "You are paused in campaign {name!r}: {reason} Ask a reviewer to look at your answers."
# Temporal segments (docs/segments.md). `{where}` names the span as the request did: "segments[3]".
MSG_SEGMENTS_TOO_MANY = "At most {limit} spans per submission (got {count}); merge neighbouring spans."
MSG_SEGMENT_VIDEO = "{where}: video {video} is not one of this pair's videos ({expected})."
MSG_SEGMENT_DIMENSION = "{where}: dimension {dimension!r} is not part of this campaign (one of: {known})."
MSG_SEGMENT_NO_FRAME_COUNT = ("{where}: video {video} has no known frame count (its rendition is not measured), so it "
                              "takes no spans; send the answers without spans on it.")
MSG_SEGMENT_FRAMES = ("{where}: frames {start}-{end} are outside video {video}: need 0 <= start_frame <= end_frame "
                      "< {count} (frames are numbered from 0, end inclusive).")
MSG_SEGMENT_SEVERITY = "{where}: severity must be 1 (mild), 2 (clear), 3 (severe) or null (got {severity!r})."
MSG_SEGMENT_NOTE = "{where}: note is limited to {limit} characters (got {length})."
MSG_SEGMENTS_TRACK_FULL = ("At most {limit} spans per video and dimension (video {video}, {dimension}: {count}); "
                           "merge neighbouring spans.")
MSG_SEGMENTS_OVERLAP = ("Spans overlap; merge them (video {video}, {dimension}: frames {first} and {second} share "
                        "a frame).")
