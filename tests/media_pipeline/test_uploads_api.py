"""POST /api/uploads/: admins upload a video (streamed to a temp file, checked, stored
content-addressed, paired, queued); everyone else is refused; bad or oversized files store nothing."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile

from annotation.api import upload_views
from annotation.media_tasks import process_video
from annotation.models import Pair, Prompt, Video, VideoStatus
from annotation.services.media_pipeline import video_process
from tests.clips import write_png
from tests.factories import CampaignFactory, PromptFactory
from tests.media.clips import truncate
from tests.media_pipeline.conftest import stored_files

pytestmark = pytest.mark.django_db
URL = "/api/uploads/"


def _file(path: Path, name: str | None = None) -> io.BytesIO:
    handle = io.BytesIO(path.read_bytes())
    handle.name = name or path.name
    return handle


@pytest.fixture
def image(tmp_path) -> Path:
    return write_png(tmp_path / "initial.png", shade=120)


def _form(clip: Path, image: Path, **extra) -> dict:
    return {"file": _file(clip), "generator": "aurora", "seed": 7, "prompt": "A boy waves at the sea",
            "initial_image": _file(image), **extra}


def test_an_admin_upload_is_stored_content_addressed_paired_and_queued(
        pipeline, good_clips, image, media_root, settings, carol, client_for, monkeypatch,
        django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    first = client_for(carol).post(URL, _form(good_clips["mpeg4.avi"], image, campaign=campaign.pk),
                                   format="multipart")
    assert first.status_code == 201, first.content
    prompt_id = first.json()["prompt"]

    settings.MEDIA_PROCESS_ON_IMPORT = True
    received, sent = [], []
    real_service = upload_views.video_upload_create
    monkeypatch.setattr(upload_views, "video_upload_create",
                        lambda **kw: received.append(kw["file"]) or real_service(**kw))
    monkeypatch.setattr(process_video, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        second = client_for(carol).post(URL, {"file": _file(good_clips["vp9.webm"], "../../etc/evil name.webm"),
                                              "generator": "bolt", "prompt_id": prompt_id, "campaign": campaign.pk},
                                        format="multipart")

    assert second.status_code == 201, second.content
    body = second.json()
    assert (body["status"], body["prompt"], body["pairs_created"]) == ("pending", prompt_id, 1)
    assert body["prompt_created"] is False
    assert isinstance(received[0], TemporaryUploadedFile)  # streamed to disk, not held in memory
    video = Video.objects.get(pk=body["id"])
    assert video.file.name == f"videos/{video.sha256[:2]}/{video.sha256}.webm"  # no client-chosen name
    assert video.source_name == "evil name.webm" and video.codec == "vp9"
    assert sent == [(video.pk, video.sha256, False)]
    assert Pair.objects.filter(campaign=campaign).count() == 1

    assert video_process(video_id=video.pk) == "ready"
    detail = client_for(carol).get(f"{URL}{video.pk}/").json()
    assert (detail["status"], detail["failure_code"]) == ("ready", "")


def test_annotators_and_anonymous_users_may_not_upload(pipeline, good_clips, image, media_root, alice, client_for):
    assert client_for(alice).post(URL, _form(good_clips["h264.mp4"], image), format="multipart").status_code == 403
    assert client_for().post(URL, _form(good_clips["h264.mp4"], image), format="multipart").status_code in (401, 403)
    assert client_for(alice).get(f"{URL}1/").status_code == 403
    assert Video.objects.count() == 0 and stored_files(media_root) == []


def _upload_tmp(settings) -> list[Path]:
    return [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()]


def test_a_too_large_upload_is_cut_off_with_413(pipeline, good_clips, image, media_root, settings, carol, client_for):
    settings.MEDIA_MAX_FILE_BYTES = 2048  # the clip is bigger: the stream stops once past the limit
    response = client_for(carol).post(URL, _form(good_clips["h264.mp4"], image), format="multipart")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "upload_too_large" and body["reason"] == "file_too_big" and "MiB" in body["detail"]
    assert Video.objects.count() == 0 and stored_files(media_root) == [] and _upload_tmp(settings) == []


def test_a_body_announcing_too_many_bytes_is_refused_before_reading(pipeline, good_clips, image, media_root,
                                                                    settings, carol, client_for, monkeypatch):
    settings.MEDIA_MAX_FILE_BYTES = 1024
    monkeypatch.setattr(upload_views, "MAX_IMAGE_BYTES", 0)
    monkeypatch.setattr(upload_views, "FORM_OVERHEAD_BYTES", 0)
    chunks = []
    monkeypatch.setattr(upload_views.LimitedTemporaryFileUploadHandler, "receive_data_chunk",
                        lambda self, raw, start: chunks.append(raw))
    response = client_for(carol).post(URL, _form(good_clips["h264.mp4"], image), format="multipart")
    assert response.status_code == 413 and chunks == []


def _noise(tmp_path, clips):
    path = tmp_path / "noise.mp4"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def _cut(tmp_path, clips):
    return truncate(clips["h264.mp4"], tmp_path / "cut.mp4", fraction=0.5)


def _still(tmp_path, clips):
    path = tmp_path / "still.mp4"
    path.write_bytes(write_png(tmp_path / "s.png").read_bytes())
    return path


def _empty(tmp_path, clips):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("make, reason", [(_noise, "not_media"), (_cut, "truncated"), (_still, "image_not_video"),
                                          (_empty, "empty_file")])
def test_a_file_that_is_no_usable_video_gets_400_with_its_reason(pipeline, good_clips, image, media_root, settings,
                                                                  tmp_path, carol, client_for, make, reason):
    response = client_for(carol).post(URL, _form(make(tmp_path, good_clips), image), format="multipart")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["reason"]) == ("invalid_video", reason)
    assert (Video.objects.count(), Prompt.objects.count()) == (0, 0)
    assert stored_files(media_root) == [] and _upload_tmp(settings) == []


def test_the_same_bytes_twice_get_409_naming_the_first_video(pipeline, good_clips, image, media_root, carol,
                                                             client_for):
    first = client_for(carol).post(URL, _form(good_clips["h264.mp4"], image), format="multipart").json()
    before = stored_files(media_root)
    again = client_for(carol).post(URL, _form(good_clips["h264.mp4"], image, generator="other"), format="multipart")
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["video"]) == ("duplicate_video", first["id"])
    assert Video.objects.count() == 1 and stored_files(media_root) == before


def test_a_prompt_is_required_and_a_broken_image_is_refused(pipeline, good_clips, tmp_path, media_root, carol,
                                                            client_for):
    no_prompt = client_for(carol).post(URL, {"file": _file(good_clips["h264.mp4"]), "generator": "g"},
                                       format="multipart")
    assert no_prompt.status_code == 400 and no_prompt.json()["code"] == "upload_rejected"
    bad_image = tmp_path / "bad.png"
    bad_image.write_bytes(b"not an image")
    broken = client_for(carol).post(URL, _form(good_clips["h264.mp4"], bad_image), format="multipart")
    assert broken.status_code == 400 and "initial_image" in broken.json()["detail"]
    both = client_for(carol).post(URL, _form(good_clips["h264.mp4"], tmp_path / "bad.png",
                                             prompt_id=PromptFactory().pk), format="multipart")
    assert both.status_code == 400
    assert Video.objects.count() == 0 and stored_files(media_root) == []


def test_a_video_uploaded_for_an_existing_prompt_is_ready_after_processing(pipeline, good_clips, media_root, carol,
                                                                            client_for):
    prompt = PromptFactory()
    response = client_for(carol).post(URL, {"file": _file(good_clips["mpeg4.mkv"]), "generator": "cel",
                                            "prompt_id": prompt.pk}, format="multipart")
    assert response.status_code == 201
    video = Video.objects.get(pk=response.json()["id"])
    assert video.file.name.endswith(".mkv") and video.status == VideoStatus.PENDING
    video_process(video_id=video.pk)
    assert Video.objects.get(pk=video.pk).status == VideoStatus.READY
