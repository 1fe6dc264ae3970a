"""AuditLog moves from the annotation app to studio_platform in Django's state only: the table
(annotation_auditlog, created by annotation 0006 and changed by 0011-0013) keeps its name and rows.
annotation 0014 removes the model from annotation's state after this one adds it here."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("annotation", "0013_answer_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("actor_username", models.CharField(blank=True, help_text="Kept when the user is deleted.", max_length=150)),
                        ("action", models.CharField(choices=[("import", "Manifest import"), ("upload", "Video upload"), ("dataset.create", "Dataset version created"), ("dataset.build", "Dataset build queued again"), ("dataset.rebuild", "Dataset rebuilt as a new version"), ("role.add", "Groups added to a user"), ("role.remove", "Groups removed from a user"), ("campaign.status", "Campaign status changed"), ("campaign.create", "Campaign created"), ("campaign.update", "Campaign settings changed"), ("campaign.archive", "Campaign archived"), ("promotion", "Model promoted"), ("annotator.status", "Annotator paused, resumed or exempted from the gold check"), ("adjudication", "Pair adjudicated by a reviewer"), ("answer.edit", "Submitted answer edited by its annotator")], db_index=True, max_length=32)),
                        ("target_type", models.CharField(blank=True, help_text="app_label.model of the target.", max_length=100)),
                        ("target_id", models.CharField(blank=True, max_length=64)),
                        ("target_repr", models.CharField(blank=True, max_length=200)),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("actor", models.ForeignKey(blank=True, help_text="Empty for the system (shell, migrations, workers).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "annotation_auditlog",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["target_type", "target_id"], name="auditlog_target_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
