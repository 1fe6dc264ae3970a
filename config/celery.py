"""The Celery app. Workers: `celery -A config worker -Q default,media` (CPU) and
`celery -A config worker -Q gpu --concurrency 1` (one per GPU)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("animereward_studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
