"""Comments on a pair: annotators on pairs they judged (submitted), reviewers and admins anywhere."""
from __future__ import annotations

from django.db import transaction

from annotation.models import AssignmentState, Pair, PairComment
from studio_platform.errors import NotFound, ValidationFailed
from studio_platform.roles import REVIEWER, user_has_role

MAX_COMMENT = 2000
MSG_COMMENT_EMPTY = "Write something: the comment is empty."
MSG_COMMENT_LONG = f"A comment is limited to {MAX_COMMENT} characters."
MSG_PAIR_NOT_FOUND = "No such pair for this user."  # also for pairs an annotator did not judge


def pair_visible_to(*, pair_id: int, user) -> Pair | None:
    """The pair when `user` may read and comment on it: reviewers always, annotators once they
    submitted an answer on it. Otherwise None (callers answer 404, never 403: no existence leak)."""
    pairs = Pair.objects.filter(pk=pair_id)
    if not user_has_role(user, REVIEWER):
        pairs = pairs.filter(assignments__annotator=user, assignments__state=AssignmentState.SUBMITTED)
    return pairs.select_related("campaign").first()


def pair_comment_add(*, pair_id: int, author, text: str) -> PairComment:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(MSG_COMMENT_EMPTY)
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(MSG_COMMENT_LONG)
    with transaction.atomic():
        pair = pair_visible_to(pair_id=pair_id, user=author)
        if pair is None:
            raise NotFound(MSG_PAIR_NOT_FOUND)
        return PairComment.objects.create(pair=pair, author=author, text=text)
