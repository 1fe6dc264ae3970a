"""The annotation app's signals: what it announces to apps and adapters above its services, and the
campaign status audit.

`demo_seeded` is sent by `manage.py seed_demo` once the demo campaign and its labels exist; the
training app listens (training/apps.py) to make sure the demo retrain policy exists, so annotation
never imports training."""
from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal

from studio_platform.audit import audit_record
from studio_platform.models import AuditAction

demo_seeded = Signal()  # kwargs: campaign (the demo Campaign)
# Sent once a transaction that registered or reset videos commits (services/media_queue.py); the
# Celery adapter annotation/media_tasks.py answers by queueing media.process_video for each.
videos_to_process = Signal()  # kwargs: videos [(id, sha256)], force (rebuild every output)


def _campaign_pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_old_status = None
        return
    instance._audit_old_status = sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()


def _campaign_post_save(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_audit_old_status", None)
    if not raw and not created and old is not None and old != instance.status:
        audit_record(action=AuditAction.CAMPAIGN_STATUS, target=instance, details={"from": old, "to": instance.status})


def connect_signals() -> None:
    """Campaign status changes through any path (admin, shell, API) are audited; the actor comes
    from the request the admin is serving (studio_platform.audit.acting_as)."""
    pre_save.connect(_campaign_pre_save, sender="annotation.Campaign", dispatch_uid="audit_campaign_pre")
    post_save.connect(_campaign_post_save, sender="annotation.Campaign", dispatch_uid="audit_campaign_post")
