"""Issue #22: a reward model with per-frame heads stores each video's score curve beside its scores
(null for models without them, so every existing row stays valid as it is)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0006_remove_generation_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='rewardmodelscore',
            name='curves',
            field=models.JSONField(blank=True, help_text='Score over time: {"positions": [relative positions 0..1 of the sampled frames], "curves": {temporal dimension: [score in [0, 1] per position]}}; null for models without per-frame heads.', null=True),
        ),
    ]
