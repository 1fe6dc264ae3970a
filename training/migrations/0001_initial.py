"""Dataset versions and their files; triggers make a ready version immutable in the database."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A ready version may only lose its creator (SET_NULL when a user is deleted); anything else is
# refused, as is adding, changing or moving a file of a ready version. Deleting stays possible.
IMMUTABLE_SQL = """
CREATE FUNCTION training_dataset_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'ready'
       AND (to_jsonb(NEW) - 'created_by_id') IS DISTINCT FROM (to_jsonb(OLD) - 'created_by_id') THEN
        RAISE EXCEPTION 'dataset version % is ready and immutable; create a new version instead', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER training_dataset_version_immutable BEFORE UPDATE ON training_datasetversion
    FOR EACH ROW EXECUTE FUNCTION training_dataset_version_immutable();

CREATE FUNCTION training_dataset_file_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM training_datasetversion v WHERE v.status = 'ready' AND (
            v.id = NEW.version_id OR (TG_OP = 'UPDATE' AND v.id = OLD.version_id))) THEN
        RAISE EXCEPTION 'the files of ready dataset version % are immutable', NEW.version_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER training_dataset_file_immutable BEFORE INSERT OR UPDATE ON training_datasetfile
    FOR EACH ROW EXECUTE FUNCTION training_dataset_file_immutable();
"""
IMMUTABLE_REVERSE_SQL = """
DROP TRIGGER IF EXISTS training_dataset_file_immutable ON training_datasetfile;
DROP FUNCTION IF EXISTS training_dataset_file_immutable();
DROP TRIGGER IF EXISTS training_dataset_version_immutable ON training_datasetversion;
DROP FUNCTION IF EXISTS training_dataset_version_immutable();
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DatasetVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(blank=True, max_length=120)),
                ('campaign_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), size=None)),
                ('dimension_keys', django.contrib.postgres.fields.ArrayField(base_field=models.SlugField(max_length=32), size=None)),
                ('min_votes_per_pair', models.PositiveSmallIntegerField(default=1)),
                ('min_agreement', models.FloatField(default=0.0, help_text='Share of votes on the plurality side, 0..1.')),
                ('judged_before', models.DateTimeField(help_text='Only judgments stored before this moment are exported.')),
                ('split_salt', models.CharField(default='animereward-split-v1', max_length=64)),
                ('test_fraction', models.FloatField(default=0.2)),
                ('tie_band', models.FloatField(default=0.5)),
                ('schema_version', models.PositiveSmallIntegerField()),
                ('description', models.JSONField(help_text='Canonical description; its sha256 is description_sha256.')),
                ('description_sha256', models.CharField(db_index=True, max_length=64)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('building', 'Building'), ('ready', 'Ready'), ('failed', 'Failed')], db_index=True, default='queued', max_length=16)),
                ('rows_written', models.BigIntegerField(default=0)),
                ('rows_total', models.BigIntegerField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('row_counts', models.JSONField(blank=True, default=dict, help_text='{table: {split: rows}}')),
                ('agreement', models.JSONField(blank=True, default=list, help_text='Agreement figures per dimension.')),
                ('sha256', models.CharField(blank=True, db_index=True, help_text='sha256 of the description and the sorted file hashes.', max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dataset_versions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='DatasetFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(help_text='POSIX path relative to the version folder.', max_length=255)),
                ('format', models.CharField(choices=[('parquet', 'Parquet'), ('jsonl', 'JSON Lines'), ('card', 'Dataset card')], max_length=16)),
                ('table', models.CharField(blank=True, max_length=32)),
                ('split', models.CharField(blank=True, max_length=8)),
                ('rows', models.BigIntegerField(blank=True, null=True)),
                ('size_bytes', models.BigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='training.datasetversion')),
            ],
            options={
                'ordering': ['version', 'path'],
            },
        ),
        migrations.AddConstraint(
            model_name='datasetversion',
            constraint=models.CheckConstraint(condition=models.Q(('min_votes_per_pair__gte', 1)), name='dataset_min_votes_positive'),
        ),
        migrations.AddConstraint(
            model_name='datasetversion',
            constraint=models.CheckConstraint(condition=models.Q(('min_agreement__gte', 0.0), ('min_agreement__lte', 1.0)), name='dataset_min_agreement_unit'),
        ),
        migrations.AddConstraint(
            model_name='datasetversion',
            constraint=models.CheckConstraint(condition=models.Q(('test_fraction__gte', 0.0), ('test_fraction__lt', 1.0)), name='dataset_test_fraction_unit'),
        ),
        migrations.AddConstraint(
            model_name='datasetversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'ready'), _negated=True), models.Q(('sha256', ''), _negated=True), _connector='OR'), name='dataset_ready_has_hash'),
        ),
        migrations.AddConstraint(
            model_name='datasetfile',
            constraint=models.UniqueConstraint(fields=('version', 'path'), name='dataset_file_unique_path'),
        ),
        migrations.RunSQL(IMMUTABLE_SQL, IMMUTABLE_REVERSE_SQL),
    ]
