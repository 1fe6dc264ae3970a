"""Audit log writes. Views call `audit_record(request=..., ...)` after an admin action succeeds;
signals record role changes (connected here, from StudioPlatformConfig.ready) and campaign status
changes (annotation/signals.py), taking the actor from `acting_as(request)`, which the audited
admin pages wrap around their views."""
from __future__ import annotations

import contextvars
import ipaddress
import logging
from contextlib import contextmanager

from django.conf import settings
from django.db.models.signals import m2m_changed

from studio_platform.models import AuditAction, AuditLog

log = logging.getLogger(__name__)

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the n-th address from the right of
    X-Forwarded-For (what the outermost trusted proxy saw). Also django-axes' AXES_CLIENT_IP_CALLABLE."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    candidate = meta.get("REMOTE_ADDR")
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if hops and len(forwarded) >= hops:
        candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate)) if candidate else None
    except ValueError:
        return None


@contextmanager
def acting_as(request):
    """Attribute signal-recorded changes (groups, campaign status) made while serving `request`."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def _target_fields(target) -> dict:
    if target is None:
        return {}
    meta = getattr(target, "_meta", None)
    if meta is None:
        return {"target_repr": str(target)[:200]}
    return {"target_type": meta.label_lower, "target_id": str(target.pk), "target_repr": str(target)[:200]}


def audit_record(*, action: str, target=None, details: dict | None = None, request=None, actor=None) -> AuditLog:
    """Write one row. `request` (or the one set by acting_as) supplies actor and IP."""
    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditLog.objects.create(
        action=action, actor=actor, actor_username=getattr(actor, "username", "") or "",
        ip_address=client_ip(request), details=details or {}, **_target_fields(target),
    )


def groups_changed(*, instance, action: str, reverse: bool, pk_set) -> None:
    """m2m_changed on User.groups, from either side (user.groups.add / group.user_set.add)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    if action == "pre_clear":  # remember what a clear() removes
        instance._audit_cleared = (set(instance.groups.values_list("pk", flat=True)) if not reverse
                                   else set(instance.user_set.values_list("pk", flat=True)))
        return
    if action == "post_clear":
        action, pk_set = "post_remove", getattr(instance, "_audit_cleared", set())
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    kind = AuditAction.ROLE_ADD if action == "post_add" else AuditAction.ROLE_REMOVE
    if not reverse:
        names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        audit_record(action=kind, target=instance, details={"groups": names})
    else:
        for user in get_user_model().objects.filter(pk__in=pk_set):
            audit_record(action=kind, target=user, details={"groups": [instance.name]})


def _on_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    groups_changed(instance=instance, action=action, reverse=reverse, pk_set=pk_set)


def connect_signals() -> None:
    """Role changes through any path (admin, shell, API) are audited; the lazy sender is resolved
    once the user model is registered."""
    m2m_changed.connect(_on_groups_changed, sender=f"{settings.AUTH_USER_MODEL}_groups", dispatch_uid="audit_groups")
