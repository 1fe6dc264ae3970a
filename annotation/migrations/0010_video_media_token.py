"""Per-video random media tokens (rendition, poster and strip names no longer carry the original's
sha256) and the rendition's own size and timing for the lease payload (issue #19 finding 2).

Three steps because a unique column cannot be added with one default for every existing row."""
import secrets

from django.db import migrations, models

import annotation.models.media


def fill_tokens(apps, schema_editor):
    Video = apps.get_model("annotation", "Video")
    for video in Video.objects.filter(media_token__isnull=True).only("pk").iterator():
        Video.objects.filter(pk=video.pk).update(media_token=secrets.token_hex(16))


class Migration(migrations.Migration):

    dependencies = [
        ("annotation", "0009_schedule_agreement_snapshot"),
    ]

    operations = [
        migrations.AddField(
            model_name="video",
            name="media_token",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="video",
            name="media_token",
            field=models.CharField(default=annotation.models.media.new_media_token, editable=False,
                                   help_text="Random stem of the rendition, poster and strip names.",
                                   max_length=32, unique=True),
        ),
        migrations.AddField(
            model_name="video",
            name="rendition_duration_s",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="video",
            name="rendition_fps",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="video",
            name="rendition_frame_count",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="video",
            name="rendition_height",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="video",
            name="rendition_width",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
