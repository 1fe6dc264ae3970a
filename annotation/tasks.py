"""Celery adapters for annotation services."""
from celery import shared_task

from annotation.services.leasing import leases_reap_expired


@shared_task(name="annotation.tasks.reap_expired_leases", ignore_result=True)
def reap_expired_leases() -> int:
    return leases_reap_expired()
