"""Beat schedule of the orchestration (both editable under Periodic tasks in the admin):
re-queue runs whose worker stopped heartbeating (every 30 s) and the retrain check (every 5 min)."""
from django.db import migrations

TASKS = {
    "Re-queue training runs of lost workers": ("training.requeue_stale_runs", 30, "seconds"),
    "Check retrain policies": ("training.check_retrain", 5, "minutes"),
}


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, every, period) in TASKS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True, "queue": "default"})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=list(TASKS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_runs_and_reward_models"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
