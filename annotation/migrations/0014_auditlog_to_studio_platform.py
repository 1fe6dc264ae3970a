"""AuditLog now belongs to studio_platform (its 0001 adds it to that app's state); here it leaves
annotation's state. Nothing happens in the database: the table keeps its name and rows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("annotation", "0013_answer_history"),
        ("studio_platform", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditLog")],
            database_operations=[],
        ),
    ]
