"""The imports page's API: dry runs with problems grouped by cause, imports from a server folder or
with uploaded files, the folder list and processing progress; nothing half-stored on failure."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotation.manifests import RowError, errors_grouped
from annotation.models import Pair, Prompt, Video, VideoStatus
from annotation.services import imports as import_service
from annotation.services.media_pipeline import video_process
from studio_platform.models import AuditLog
from tests.annotation.test_imports import _dataset, _jsonl
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _manifest(rows, name="manifest.jsonl"):
    upload = io.BytesIO(_jsonl(rows).encode())
    upload.name = name
    return upload


def _nothing_stored(media_root: Path) -> bool:
    return (Video.objects.count(), Prompt.objects.count(), Pair.objects.count()) == (0, 0, 0) and \
        not any(p.is_file() for p in media_root.rglob("*"))


def test_errors_are_grouped_by_cause_with_their_lines():
    errors = [RowError(4, "video", "'c.mp4' does not exist or is not a file"), RowError(2, "seed", "bad seed"),
              RowError(1, "video", "'a.mp4' does not exist or is not a file")]
    groups = errors_grouped(errors)
    assert [(g["field"], g["lines"], g["count"]) for g in groups] == [("video", [1, 4], 2), ("seed", [2], 1)]
    assert groups[0]["example"] == "'a.mp4' does not exist or is not a file"


def test_a_dry_run_reports_grouped_problems_and_writes_nothing(import_root, media_root, carol, client_for):
    rows = _dataset(import_root, n_prompts=2, videos_per_prompt=2)
    rows[1]["video"] = "missing-1.mp4"
    rows[3]["video"] = "missing-2.mp4"
    response = client_for(carol).post("/api/imports/", {"manifest": _manifest(rows), "dry_run": True,
                                                        "campaign": CampaignFactory().pk}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["rows"] == 4 and body["videos_created"] == 2
    assert [(g["field"], g["lines"]) for g in body["error_groups"]] == [("video", [2, 4])]
    assert _nothing_stored(media_root) and not AuditLog.objects.filter(action="import").exists()


def test_a_clean_dry_run_counts_what_the_import_would_create(import_root, media_root, carol, client_for):
    rows = _dataset(import_root, n_prompts=2, videos_per_prompt=2)
    body = client_for(carol).post("/api/imports/", {"manifest": _manifest(rows), "dry_run": True},
                                  format="multipart").json()
    assert (body["errors"], body["prompts_created"], body["videos_created"]) == ([], 2, 4)
    assert _nothing_stored(media_root)


def test_a_rejected_import_lists_groups_too_and_stores_nothing(import_root, media_root, carol, client_for):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=3)
    rows[2]["seed"] = 1.5
    response = client_for(carol).post("/api/imports/", {"manifest": _manifest(rows)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error_groups"][0]["lines"] == [3]
    assert _nothing_stored(media_root)


def test_a_failure_while_writing_rolls_back_and_removes_stored_files(import_root, media_root, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(import_service, "pairs_create_for_prompts", broken)
    with pytest.raises(RuntimeError):
        import_service.videos_import_manifest(text=_jsonl(_dataset(import_root, n_prompts=1)), manifest_name="m.jsonl",
                                              base_dir=import_root, campaign=CampaignFactory())
    assert _nothing_stored(media_root)


def test_an_import_from_a_server_folder(import_root, carol, client_for):
    folder = import_root / "batch-1"
    (folder / "manifest.jsonl").parent.mkdir()
    (folder / "manifest.jsonl").write_text(_jsonl(_dataset(folder, n_prompts=1)))
    client = client_for(carol)
    listed = client.get("/api/imports/folders/").json()
    assert listed["folders"] == [{"root": str(import_root.resolve()), "path": str(folder.resolve()),
                                  "relative": "batch-1", "manifests": ["manifest.jsonl"]}]
    response = client.post("/api/imports/", {"server_manifest": str(folder / "manifest.jsonl"),
                                             "campaign": CampaignFactory().pk}, format="multipart")
    assert response.status_code == 201, response.content
    assert (response.json()["videos_created"], response.json()["pairs_created"]) == (3, 3)
    assert AuditLog.objects.get(action="import").details["videos_created"] == 3


def test_a_server_manifest_outside_the_roots_is_refused(import_root, carol, client_for):
    response = client_for(carol).post("/api/imports/", {"server_manifest": "/etc/hostname"}, format="multipart")
    assert response.status_code == 400 and "outside the allowed import folders" in response.json()["detail"]


def test_manifest_and_files_uploaded_together(import_root, tmp_path, media_root, carol, client_for):
    source = tmp_path / "local"
    rows = _dataset(source, n_prompts=1, videos_per_prompt=2)
    for row in rows:  # folders in the manifest's paths are ignored: uploads are matched by file name
        row["video"] = f"videos/{row['video']}"
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(source.iterdir())]
    client = client_for(carol)
    preview = client.post("/api/imports/bundle/", {"manifest": _manifest(rows), "files": files, "dry_run": True},
                          format="multipart")
    assert preview.status_code == 200 and preview.json()["errors"] == [], preview.content
    assert _nothing_stored(media_root)
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(source.iterdir())]
    done = client.post("/api/imports/bundle/", {"manifest": _manifest(rows), "files": files}, format="multipart")
    assert done.status_code == 201 and done.json()["videos_created"] == 2, done.content
    assert Video.objects.get(pk=done.json()["video_ids"][0]).source_name.endswith(".mp4")
    assert not any((import_root / ".browser-uploads").iterdir())  # the staging folder is gone


@pytest.mark.parametrize("name", [".hidden.png", "a;b.png", "x" * 300])
def test_an_odd_uploaded_file_name_is_refused_before_anything_is_written(import_root, carol, client_for, name):
    rows = _dataset(import_root / "unused", n_prompts=1, videos_per_prompt=1)
    response = client_for(carol).post("/api/imports/bundle/", {"manifest": _manifest(rows),
                                                               "files": [SimpleUploadedFile(name, b"x")]},
                                      format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "import_rejected", response.content
    assert not (import_root / ".browser-uploads").exists()


def test_progress_counts_states_and_lists_failures(carol, client_for):
    from tests.factories import VideoFactory

    ready = VideoFactory()
    pending = VideoFactory(status=VideoStatus.PENDING)
    failed = VideoFactory(status=VideoStatus.FAILED, failure_code="decode_error", failure_reason="cannot decode",
                          source_name="broken.mp4")
    body = client_for(carol).post("/api/imports/progress/", {"videos": [ready.pk, pending.pk, failed.pk]},
                                  format="json").json()
    assert (body["total"], body["pending"], body["ready"], body["failed"]) == (3, 1, 1, 1)
    assert body["failures"] == [{"video": failed.pk, "source_name": "broken.mp4", "code": "decode_error",
                                 "reason": "cannot decode"}]


def test_imported_videos_are_followed_to_ready(import_root, carol, client_for):
    response = client_for(carol).post("/api/imports/", {"manifest": _manifest(_dataset(import_root, n_prompts=1))},
                                      format="multipart")
    ids = response.json()["video_ids"]
    assert json.loads(json.dumps(ids)) == sorted(ids) and len(ids) == 3
    video_process(video_id=ids[0])
    body = client_for(carol).post("/api/imports/progress/", {"videos": ids}, format="json").json()
    assert (body["ready"], body["pending"]) == (1, 2)


def test_a_budget_campaign_counts_a_prompts_earlier_pairs(import_root):
    campaign = CampaignFactory(pairing="budget", pair_budget_per_prompt=2)
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=4)
    first = import_service.videos_import_manifest(text=_jsonl(rows[:3]), manifest_name="m.jsonl", base_dir=import_root,
                                                  campaign=campaign)
    second = import_service.videos_import_manifest(text=_jsonl(rows[3:]), manifest_name="m.jsonl", base_dir=import_root,
                                                   campaign=campaign)
    assert (first.pairs_created, second.pairs_created) == (2, 0)
    assert Pair.objects.filter(campaign=campaign).count() == 2
