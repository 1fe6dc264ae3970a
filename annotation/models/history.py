"""What happens to a pair after it was judged: answer edits (append-only revisions) and comments.

The Judgment row always holds an annotator's latest strength, so consensus, quality reports and
dataset exports read the latest answer without knowing about edits; every change is also a
JudgmentRevision row (strength before and after, who, when), so the original answer is the
`from_strength` of a judgment's first revision and nothing is ever lost.
"""
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


def edit_deadline(*, finished_at: datetime | None, edit_window_minutes: int) -> datetime | None:
    """Until when a submitted answer may be edited; None when it never may (services/answer_edits.py
    enforces it, selectors/pair_pages.py shows it)."""
    if finished_at is None or edit_window_minutes <= 0:
        return None
    return finished_at + timedelta(minutes=edit_window_minutes)


class JudgmentRevision(models.Model):
    """One change of one submitted strength by its annotator, inside the campaign's edit window."""

    judgment = models.ForeignKey("annotation.Judgment", on_delete=models.CASCADE, related_name="revisions")
    assignment = models.ForeignKey("annotation.Assignment", on_delete=models.CASCADE, related_name="revisions")
    pair = models.ForeignKey("annotation.Pair", on_delete=models.CASCADE, related_name="judgment_revisions")
    from_strength = models.SmallIntegerField()
    to_strength = models.SmallIntegerField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(from_strength__gte=-2, from_strength__lte=2)
                                   & Q(to_strength__gte=-2, to_strength__lte=2), name="revision_strength_range"),
        ]

    def __str__(self) -> str:
        return f"judgment {self.judgment_id}: {self.from_strength:+d} -> {self.to_strength:+d}"


class PairComment(models.Model):
    """A note on a pair by an annotator who judged it, a reviewer or an admin."""

    pair = models.ForeignKey("annotation.Pair", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pair_comments")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["pair", "id"], name="paircomment_pair_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on pair {self.pair_id}"
