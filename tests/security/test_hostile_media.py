"""Hostile media (issue #19 findings 1, 2, 6, 7 and 8): files named to be run as pages, annotators
peeking at originals, inputs that used to crash the importer, playlists that made FFmpeg open a FIFO,
and pictures decoded before their size was checked."""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from PIL import Image

from annotation.models import Prompt, Video
from annotation.services.media_pipeline import video_process
from media_io import InvalidVideo, probe_video
from media_io import inputs as media_inputs
from tests.clips import write_png
from tests.factories import CampaignFactory
from tests.media_pipeline.conftest import good_clips, pipeline, stored_files  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SECRET = "SECRET-GEN-ALPHA"


def _tagged_clip(path: Path, *, width: int = 64, height: int = 48, frames: int = 12, comment: str = "",
                 shade: int = 0) -> Path:
    """An H.264 MP4 whose container and stream tags name the generator and seed."""
    with av.open(str(path), "w", format="mp4") as out:
        out.metadata["comment"] = comment or f"generator={SECRET} seed=42"
        out.metadata["title"] = f"{SECRET} take 1"
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.metadata["handler_name"] = f"{SECRET} handler"
        for i in range(frames):
            pixels = np.full((height, width, 3), (shade + 8 * i) % 256, np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _browser(user) -> Client:
    """/media/ is a plain Django view: it needs a session, not DRF's forced authentication."""
    client = Client()
    client.force_login(user)
    return client


def _manifest(lines: list[str], name: str = "m.jsonl") -> io.BytesIO:
    handle = io.BytesIO("\n".join(lines).encode())
    handle.name = name
    return handle


def _import(client, rows: list[dict], **form):
    return client.post("/api/imports/", {"manifest": _manifest([json.dumps(r) for r in rows]), **form},
                       format="multipart")


def _row(video: str, image: str, generator: str = "gen-a", **extra) -> dict:
    return {"prompt": "A girl waves", "initial_image": image, "video": video, "generator": generator, **extra}


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares width x height and holds no pixels: opening it reads only the header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


# --- finding 1: stored names and Content-Types come from the detected format ------------------------

def test_an_html_named_video_and_a_js_named_image_are_stored_and_served_as_what_they_are(
        pipeline, carol, client_for, media_root):
    _tagged_clip(pipeline / "x.html", comment='<script src="/media/initial/x.js"></script>')
    write_png(pipeline / "image.png").rename(pipeline / "x.js")
    response = _import(client_for(carol), [_row("x.html", "x.js")])
    assert response.status_code == 201, response.content

    video = Video.objects.get()
    assert Path(video.file.name).suffix == ".mp4" and Path(video.prompt.initial_image.name).suffix == ".png"
    assert not [name for name in stored_files(media_root) if name.endswith((".html", ".js"))]
    original = _browser(carol).get("/media/" + video.file.name)
    assert original.status_code == 200 and original["Content-Type"] == "video/mp4"
    assert original["Content-Disposition"].startswith("attachment;")
    assert original["X-Content-Type-Options"] == "nosniff"
    image = _browser(carol).get("/media/" + video.prompt.initial_image.name)
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"


def test_a_gif_javascript_polyglot_is_refused_as_a_prompt_image(pipeline, carol, client_for, media_root):
    _tagged_clip(pipeline / "clip.mp4")
    polyglot = io.BytesIO()
    Image.new("P", (8, 8)).save(polyglot, format="GIF", comment=b"*/alert(document.domain)//")
    (pipeline / "x.js").write_bytes(polyglot.getvalue())

    response = _import(client_for(carol), [_row("clip.mp4", "x.js")])

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["initial_image"]
    assert "PNG, JPEG or WebP" in response.json()["errors"][0]["message"]
    assert Video.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize("name", ["initial/ab/page.html", "initial/ab/drawing.svg", "initial/ab/code.js",
                                  "videos/ab/clip.html", "runs/1/report.xhtml"])
def test_media_never_answers_with_an_html_script_or_svg_type(name, media_root, alice, carol):
    path = media_root / name
    path.parent.mkdir(parents=True)
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")

    for user in (carol, alice):
        response = _browser(user).get("/media/" + name)
        if user is alice and not name.startswith("initial/"):
            assert response.status_code == 404  # not a file annotators are shown
            continue
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


# --- finding 2: blind labelling ----------------------------------------------------------------------

@pytest.fixture
def ready_pair(pipeline, carol, client_for, settings):
    """Two 160x120 clips tagged with the generator, imported into a campaign and processed into
    renditions that fit 64x96 (so the rendition's size differs from the original's)."""
    settings.MEDIA_RENDITION_SHORT_SIDE, settings.MEDIA_RENDITION_LONG_SIDE = 64, 96
    campaign = CampaignFactory(overlap=2)
    write_png(pipeline / "initial.png")
    for i in range(2):
        _tagged_clip(pipeline / f"clip{i}.mp4", width=160, height=120, shade=40 * i)
    response = _import(client_for(carol), [_row(f"clip{i}.mp4", "initial.png", f"gen-{i}", seed=42) for i in range(2)],
                       campaign=campaign.pk)
    assert response.status_code == 201, response.content
    for video in Video.objects.all():
        assert video_process(video_id=video.pk) == "ready"
    return campaign


def test_annotators_see_renditions_under_random_names_with_their_own_size(ready_pair, alice, client_for,
                                                                           media_root):
    lease = client_for(alice).post(f"/api/campaigns/{ready_pair.pk}/next/", {}, format="json").json()

    for side in ("video_a", "video_b"):
        shown = lease[side]
        video = Video.objects.get(pk=shown["id"])
        assert video.sha256 not in shown["url"] and video.sha256[:16] not in shown["poster_url"]
        assert shown["url"] == "/media/" + video.rendition.name and video.media_token in shown["url"]
        with av.open(str(media_root / video.rendition.name)) as rendition:
            stream = rendition.streams.video[0]
            size = (stream.codec_context.width, stream.codec_context.height)
            fps = float(stream.average_rate)
        assert (shown["width"], shown["height"]) == size == (84, 64) != (video.width, video.height)
        assert shown["fps"] == pytest.approx(fps)
        fetched = _browser(alice).get(shown["url"])
        assert fetched.status_code == 200 and fetched["Content-Type"] == "video/mp4"
        assert fetched["Content-Disposition"].startswith("inline;") and fetched["X-Content-Type-Options"] == "nosniff"


def test_originals_are_for_admins_only_and_only_as_downloads(ready_pair, alice, rita, carol):
    for video in Video.objects.all():
        for name in (video.file.name, f"renditions/../{video.file.name}", f"posters/x/../../{video.file.name}"):
            for user in (alice, rita):
                assert _browser(user).get("/media/" + name).status_code == 404, (user, name)
        original = _browser(carol).get("/media/" + video.file.name)
        assert original.status_code == 200 and original["Content-Disposition"].startswith("attachment;")
        assert SECRET.encode() in b"".join(original.streaming_content)  # the admin gets the real file


def test_renditions_and_posters_carry_no_source_metadata(ready_pair, media_root):
    for video in Video.objects.all():
        with av.open(str(media_root / video.file.name)) as original:
            assert SECRET in original.metadata["comment"]  # the source really is tagged
        with av.open(str(media_root / video.rendition.name)) as rendition:
            tags = [*rendition.metadata.values(), *rendition.streams.video[0].metadata.values()]
        assert not [tag for tag in tags if SECRET in tag or "seed" in tag], tags
        for name in (video.rendition.name, video.poster.name, video.thumbnail_strip.name):
            assert SECRET.encode() not in (media_root / name).read_bytes(), name
        with Image.open(media_root / video.poster.name) as poster:
            assert not poster.getexif() and SECRET not in str(poster.info)


def test_a_pair_is_never_leased_while_one_of_its_videos_is_pending(pipeline, carol, alice, client_for):
    campaign = CampaignFactory(overlap=1)
    write_png(pipeline / "initial.png")
    for i in range(2):
        _tagged_clip(pipeline / f"clip{i}.mp4", shade=40 * i)
    assert _import(client_for(carol), [_row(f"clip{i}.mp4", "initial.png", f"gen-{i}") for i in range(2)],
                   campaign=campaign.pk).status_code == 201
    first, second = Video.objects.order_by("id")
    video_process(video_id=first.pk)

    waiting = client_for(alice).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json").json()
    assert waiting["assignment"] is None

    video_process(video_id=second.pk)
    lease = client_for(alice).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json").json()
    assert lease["assignment"] is not None and lease["video_a"]["url"].startswith("/media/renditions/")


# --- finding 6: bad input is a 400, never a 500 ------------------------------------------------------

@pytest.mark.parametrize("seed", ["1e400", "9" * 5000, "1.5", "true", '"12abc"'], ids=["1e400", "5000-digits", "1.5",
                                                                                        "true", "text"])
def test_a_seed_that_is_not_a_64_bit_integer_is_a_400_and_nothing_is_stored(seed, pipeline, carol, client_for,
                                                                            media_root):
    _tagged_clip(pipeline / "clip.mp4")
    write_png(pipeline / "initial.png")
    line = json.dumps(_row("clip.mp4", "initial.png"))[:-1] + f', "seed": {seed}}}'

    response = client_for(carol).post("/api/imports/", {"manifest": _manifest([line])}, format="multipart")

    assert response.status_code == 400, response.content
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(1, "seed")]
    assert "whole number" in response.json()["errors"][0]["message"]
    assert Video.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize("seed", ["1.5", "1e400", "9" * 5000])
def test_an_upload_seed_that_is_not_a_64_bit_integer_is_a_400(seed, pipeline, carol, client_for, media_root):
    clip = io.BytesIO(_tagged_clip(pipeline / "clip.mp4").read_bytes())
    clip.name = "clip.mp4"
    image = io.BytesIO(write_png(pipeline / "initial.png").read_bytes())
    image.name = "initial.png"
    response = client_for(carol).post("/api/uploads/", {"file": clip, "generator": "g", "prompt": "p", "seed": seed,
                                                        "initial_image": image}, format="multipart")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["seed"]
    assert Video.objects.count() == 0 and stored_files(media_root) == []


def test_whole_number_seeds_are_kept_exactly(pipeline, carol, client_for):
    for i, seed in enumerate([2**63 - 1, "-7"]):
        _tagged_clip(pipeline / f"clip{i}.mp4", shade=30 * i)
    write_png(pipeline / "initial.png")
    rows = [_row("clip0.mp4", "initial.png", seed=2**63 - 1), _row("clip1.mp4", "initial.png", seed="-7")]
    assert _import(client_for(carol), rows).status_code == 201
    assert sorted(Video.objects.values_list("seed", flat=True)) == [-7, 2**63 - 1]


def test_the_import_command_reports_a_bad_seed_instead_of_crashing(pipeline, media_root, capsys):
    _tagged_clip(pipeline / "clip.mp4")
    write_png(pipeline / "initial.png")
    (pipeline / "m.jsonl").write_text(json.dumps(_row("clip.mp4", "initial.png"))[:-1] + ', "seed": 1e400}\n')

    with pytest.raises(CommandError):
        call_command("import_manifest", str(pipeline / "m.jsonl"))

    assert "line 1 [seed]: must be a whole number" in capsys.readouterr().err
    assert Video.objects.count() == 0


def test_a_decompression_bomb_image_is_a_400_on_import_and_on_upload(pipeline, carol, client_for, media_root):
    _tagged_clip(pipeline / "clip.mp4")
    (pipeline / "bomb.png").write_bytes(_png_header(20000, 10000))  # 200 Mpx: PIL refuses to open it

    imported = _import(client_for(carol), [_row("clip.mp4", "bomb.png")])
    assert imported.status_code == 400, imported.content
    assert [e["field"] for e in imported.json()["errors"]] == ["initial_image"]
    assert "Downscale" in imported.json()["errors"][0]["message"]

    form = {"file": io.BytesIO((pipeline / "clip.mp4").read_bytes()), "generator": "g", "prompt": "A girl waves",
            "initial_image": io.BytesIO((pipeline / "bomb.png").read_bytes())}
    form["file"].name, form["initial_image"].name = "clip.mp4", "bomb.png"
    uploaded = client_for(carol).post("/api/uploads/", form, format="multipart")
    assert uploaded.status_code == 400, uploaded.content
    assert uploaded.json()["code"] == "upload_rejected" and "Downscale" in uploaded.json()["detail"]
    assert Video.objects.count() == 0 and Prompt.objects.count() == 0 and stored_files(media_root) == []


# --- finding 7: FFmpeg opens only regular files, with an allow-listed demuxer, file protocol only ----

def _probe_within(path: Path, seconds: float, fifo: Path) -> InvalidVideo:
    """probe_video(path) in a thread; fails (after unblocking the FIFO) if it has not returned in time."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_raised(probe_video, path)), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds only because someone opened it to read
        os.close(writer)
        worker.join(10)
        pytest.fail(f"probing {path.name} blocked on the FIFO it names: FFmpeg followed the playlist")
    assert isinstance(outcome[0], InvalidVideo), outcome
    return outcome[0]


def _raised(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # the test inspects it
        return exc
    return None


def test_a_playlist_with_a_non_utf8_byte_naming_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "segment.ts"  # a media extension: FFmpeg's HLS demuxer skips other segment names
    os.mkfifo(fifo)
    playlist = tmp_path / "list.m3u8"
    playlist.write_bytes(b"#EXTM3U\n#\xff\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n" + str(fifo).encode()
                         + b"\n#EXT-X-ENDLIST\n")
    started = time.monotonic()
    error = _probe_within(playlist, 5, fifo)
    assert error.reason_code == "not_media" and time.monotonic() - started < 5


def test_fifos_devices_and_links_to_them_are_refused_before_a_byte_is_read(tmp_path):
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    link = tmp_path / "link.mp4"
    link.symlink_to(fifo)
    for path in (fifo, link, Path("/dev/zero")):
        error = _probe_within(path, 5, fifo)
        assert error.reason_code == "not_media" and "not a regular file" in error.message, path


def test_ffmpeg_gets_an_allow_listed_demuxer_and_the_file_protocol_only(good_clips, monkeypatch):
    calls = []
    real_open = av.open
    monkeypatch.setattr(media_inputs.av, "open", lambda *a, **kw: calls.append(kw) or real_open(*a, **kw))
    for clip in good_clips.values():
        probe_video(clip)
    assert calls
    for kwargs in calls:
        assert kwargs["format"] in {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "gif"}
        assert kwargs["options"]["protocol_whitelist"] == "file"


def test_an_uploaded_playlist_is_refused_as_not_media(pipeline, good_clips, carol, client_for, media_root):
    playlist = io.BytesIO(b"#EXTM3U\n#\xff\n#EXTINF:1,\n" + str(good_clips["h264.mp4"]).encode() + b"\n")
    playlist.name = "list.m3u8"
    image = io.BytesIO(write_png(pipeline / "initial.png").read_bytes())
    image.name = "initial.png"
    response = client_for(carol).post("/api/uploads/", {"file": playlist, "generator": "g", "prompt": "p",
                                                        "initial_image": image}, format="multipart")
    assert response.status_code == 400 and response.json()["reason"] == "not_media", response.content
    assert Video.objects.count() == 0 and stored_files(media_root) == []


# --- finding 8: sizes are checked on the headers, before a frame is decoded ----------------------------

@pytest.fixture(scope="module")
def huge_clip(tmp_path_factory) -> Path:
    """Two black 4096x4096 H.264 frames: about 50 KB on disk, 24 MiB per decoded picture."""
    path = tmp_path_factory.mktemp("huge") / "huge.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=24, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 4096, 4096, "yuv420p"
        for i in range(2):
            frame = av.VideoFrame(4096, 4096, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_an_oversized_picture_is_refused_from_its_headers_without_decoding_it(huge_clip):
    """In a fresh process, so its peak memory is the probe's own (decoding cost 115 MiB here)."""
    script = (
        "import resource, sys\n"
        "from media_io import InvalidVideo, probe_video\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    probe_video(sys.argv[1], max_width=1920, max_height=1080, max_duration_s=60, max_frames=1000)\n"
        "except InvalidVideo as exc:\n"
        "    print(exc.reason_code)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(huge_clip)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    reason, grown_mib = result.stdout.split()
    assert reason == "too_large", result.stderr
    assert int(grown_mib) < 48, f"probing grew the process by {grown_mib} MiB"


def test_an_oversized_upload_is_a_400_too_large_and_stores_nothing(huge_clip, pipeline, carol, client_for,
                                                                  media_root):
    clip = io.BytesIO(huge_clip.read_bytes())
    clip.name = "huge.mp4"
    image = io.BytesIO(write_png(pipeline / "initial.png").read_bytes())
    image.name = "initial.png"
    response = client_for(carol).post("/api/uploads/", {"file": clip, "generator": "g", "prompt": "p",
                                                        "initial_image": image}, format="multipart")
    assert response.status_code == 400 and response.json()["reason"] == "too_large", response.content
    assert "4096x4096" in response.json()["detail"]
    assert Video.objects.count() == 0 and stored_files(media_root) == []
