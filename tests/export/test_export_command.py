"""manage.py export_dataset."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from training.models import DatasetStatus, DatasetVersion

pytestmark = pytest.mark.usefixtures("datasets_root")


def test_sync_builds_here_and_prints_progress(judged_campaign):
    campaign = judged_campaign[0]
    out = StringIO()
    call_command("export_dataset", "--campaign", campaign.slug, "--test-fraction", "0.5", "--sync", stdout=out)
    text = out.getvalue()
    assert "rows " in text and "(100.0%)" in text
    summary = json.loads(text.strip().splitlines()[-1])
    version = DatasetVersion.objects.get(pk=summary["id"])
    assert version.status == DatasetStatus.READY and summary["sha256"] == version.sha256
    assert version.test_fraction == 0.5


def test_without_sync_it_queues_on_commit(judged_campaign, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("training.tasks.build_dataset_version.delay", queued.append)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("export_dataset", "--campaign", judged_campaign[0].slug, stdout=out)
    version = DatasetVersion.objects.get()
    assert queued == [version.pk] and version.status == DatasetStatus.QUEUED
    assert f"/api/datasets/{version.pk}/" in out.getvalue()


def test_unknown_campaigns_and_dimensions_are_explained(judged_campaign):
    with pytest.raises(CommandError, match="no campaign with slug nope"):
        call_command("export_dataset", "--campaign", "nope", "--sync")
    with pytest.raises(CommandError, match="choose from motion, smoothness"):
        call_command("export_dataset", "--campaign", judged_campaign[0].slug, "--dimension", "appeal", "--sync")
