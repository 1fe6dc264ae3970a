"""The three roles, as Django groups. Capabilities nest: an admin can review, a reviewer can annotate."""
from __future__ import annotations

ANNOTATOR = "annotator"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (ANNOTATOR, REVIEWER, ADMIN)
_IMPLIED = {ANNOTATOR: {ANNOTATOR, REVIEWER, ADMIN}, REVIEWER: {REVIEWER, ADMIN}, ADMIN: {ADMIN}}


def user_roles(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_studio_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMIN)
        user._studio_roles = cached
    return cached


def user_has_role(user, role: str) -> bool:
    """True when the user holds `role` or a role that includes it."""
    return bool(user_roles(user) & _IMPLIED[role])
