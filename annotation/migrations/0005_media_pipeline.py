"""Media pipeline outputs on Video: rendition, poster, thumbnail strip, probe facts, failure code.

Videos imported before this migration keep status `ready` without a rendition; the lease payload
serves their original file until an admin re-processes them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("annotation", "0004_quality"),
    ]

    operations = [
        migrations.AddField(
            model_name="video",
            name="container",
            field=models.CharField(blank=True, help_text="FFmpeg demuxer name of the original.", max_length=64),
        ),
        migrations.AddField(
            model_name="video",
            name="rotation",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Degrees counter-clockwise the original is turned for display; renditions are upright.",
            ),
        ),
        migrations.AddField(
            model_name="video",
            name="source_name",
            field=models.CharField(blank=True, help_text="The uploaded file's name; never served.", max_length=255),
        ),
        migrations.AddField(
            model_name="video",
            name="failure_code",
            field=models.CharField(
                blank=True, help_text="Stable reason code (media_io.REASON_CODES or the pipeline's).",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="video",
            name="rendition",
            field=models.FileField(
                blank=True, help_text="H.264 MP4 (faststart, at most 720p) that every browser plays.",
                max_length=255, upload_to="renditions/",
            ),
        ),
        migrations.AddField(
            model_name="video",
            name="poster",
            field=models.FileField(blank=True, max_length=255, upload_to="posters/"),
        ),
        migrations.AddField(
            model_name="video",
            name="thumbnail_strip",
            field=models.FileField(blank=True, max_length=255, upload_to="strips/"),
        ),
        migrations.AddField(
            model_name="video",
            name="processed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
