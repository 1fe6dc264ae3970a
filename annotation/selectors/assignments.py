from __future__ import annotations

from django.db.models import Prefetch

from annotation.errors import MSG_LEASE_NOT_YOURS, NotFound
from annotation.models import Assignment, Dimension


def assignment_for_payload(*, assignment_id: int, annotator) -> Assignment:
    """An annotator's own assignment with everything the lease payload shows, in a fixed number of queries."""
    assignment = (
        Assignment.objects.select_related("campaign", "pair__video_a__prompt", "pair__video_b")
        .prefetch_related(Prefetch("campaign__dimensions", queryset=Dimension.objects.order_by("order", "key")))
        .filter(pk=assignment_id, annotator=annotator)
        .first()
    )
    if assignment is None:
        raise NotFound(MSG_LEASE_NOT_YOURS)
    return assignment
