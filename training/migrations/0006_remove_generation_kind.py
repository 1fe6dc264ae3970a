"""`generation` runs are gone: the kind ran GAPO training under another name, so rows of it (if any)
become `gapo`, which is what they executed; then the choices and the kind CHECK drop it."""

from django.db import migrations, models


def generation_to_gapo(apps, schema_editor):
    apps.get_model("training", "TrainingRun").objects.filter(kind="generation").update(kind="gapo")


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0005_alter_retrainpolicy_promotion_epsilon'),
    ]

    operations = [
        migrations.RunPython(generation_to_gapo, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='trainingrun',
            name='run_kind_valid',
        ),
        migrations.AlterField(
            model_name='trainingrun',
            name='kind',
            field=models.CharField(choices=[('reward', 'Reward model training'), ('gapo', 'GAPO fine-tuning'), ('scoring', 'Scoring videos')], max_length=16),
        ),
        migrations.AlterField(
            model_name='trainingrun',
            name='options',
            field=models.JSONField(blank=True, default=dict, help_text="Orchestration options of the run's kind, every field with its value (training/runs/options.py)."),
        ),
        migrations.AddConstraint(
            model_name='trainingrun',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['reward', 'gapo', 'scoring'])), name='run_kind_valid'),
        ),
    ]
