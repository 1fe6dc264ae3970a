import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotation.models import Pair, Prompt, Video
from annotation.services.imports import videos_import_manifest
from studio_platform.errors import ImportRejected
from tests.clips import write_clip, write_png
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _dataset(root: Path, n_prompts=2, videos_per_prompt=3) -> list[dict]:
    rows = []
    for p in range(n_prompts):
        image = write_png(root / f"p{p}.png", shade=40 * p)
        for v in range(videos_per_prompt):
            clip = write_clip(root / f"p{p}_v{v}.mp4", shade=p * 10 + v)
            rows.append({"prompt": f"A boy waves, scene {p}", "initial_image": image.name, "video": clip.name,
                         "generator": f"gen-{v}", "seed": v, "action_label": "waving"})
    return rows


def _jsonl(rows) -> str:
    return "\n".join(json.dumps(r) for r in rows)


def _import(root, rows, **kwargs):
    return videos_import_manifest(text=_jsonl(rows), manifest_name="m.jsonl", base_dir=root, **kwargs)


def test_a_good_manifest_imports_prompts_videos_and_all_pairs(import_root):
    campaign = CampaignFactory()
    report = _import(import_root, _dataset(import_root), campaign=campaign)
    assert (report.prompts_created, report.videos_created, report.pairs_created) == (2, 6, 6)
    video = Video.objects.first()
    assert (video.width, video.height, video.frame_count, video.codec) == (64, 48, 12, "h264")
    assert video.file.name.startswith("videos/") and video.sha256 in video.file.name
    assert Path(video.file.path).is_file()
    assert Prompt.objects.values("split_key").distinct().count() == 2
    assert Pair.objects.filter(campaign=campaign, overlap=campaign.overlap).count() == 6


def test_csv_manifests_work_too(import_root):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = videos_import_manifest(text=out.getvalue(), manifest_name="m.csv", base_dir=import_root)
    assert report.videos_created == 2


@pytest.mark.parametrize(
    "break_row, field",
    [
        pytest.param(lambda r, root: r.update(video="../../etc/passwd"), "video", id="path-traversal"),
        pytest.param(lambda r, root: r.update(video="/etc/hostname"), "video", id="absolute-outside-root"),
        pytest.param(lambda r, root: r.update(video="missing.mp4"), "video", id="missing-file"),
        pytest.param(lambda r, root: (root / "noise.mp4").write_bytes(b"\x00garbage" * 500) and r.update(video="noise.mp4"),
                     "video", id="random-bytes"),
        pytest.param(lambda r, root: r.update(video=r["initial_image"]), "video", id="image-as-video"),
        pytest.param(lambda r, root: (root / "bad.png").write_bytes(b"not an image") and r.update(initial_image="bad.png"),
                     "initial_image", id="broken-image"),
        pytest.param(lambda r, root: r.update(generator=""), "generator", id="empty-generator"),
        pytest.param(lambda r, root: r.update(seed="abc"), "seed", id="bad-seed"),
        pytest.param(lambda r, root: r.update(colour="red"), "*", id="unknown-field"),
    ],
)
def test_one_bad_row_rejects_the_whole_import_and_stores_nothing(import_root, media_root, break_row, field):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=3)
    break_row(rows[1], import_root)
    with pytest.raises(ImportRejected) as raised:
        _import(import_root, rows, campaign=CampaignFactory())
    errors = raised.value.extra["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, field)]
    assert (Video.objects.count(), Prompt.objects.count(), Pair.objects.count()) == (0, 0, 0)
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_duplicate_files_in_one_manifest_are_reported(import_root):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    rows.append(dict(rows[0]))
    with pytest.raises(ImportRejected) as raised:
        _import(import_root, rows)
    assert raised.value.extra["errors"][0]["message"] == "same file content as line 1"
    assert Video.objects.count() == 0


def test_reimporting_is_refused_or_skipped_on_request(import_root):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    _import(import_root, rows)
    with pytest.raises(ImportRejected):
        _import(import_root, rows)
    report = _import(import_root, rows, on_duplicate="skip")
    assert (report.videos_created, report.duplicates_skipped) == (0, 2)
    assert Video.objects.count() == 2


def test_the_import_api_reports_bad_rows_with_400(import_root, carol, client_for):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    rows[0]["video"] = "../outside.mp4"
    upload = io.BytesIO(_jsonl(rows).encode())
    upload.name = "manifest.jsonl"
    response = client_for(carol).post("/api/imports/", {"manifest": upload}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected" and body["errors"][0]["field"] == "video"
    assert Video.objects.count() == 0


def test_the_import_api_imports_a_good_manifest(import_root, carol, client_for):
    campaign = CampaignFactory()
    upload = io.BytesIO(_jsonl(_dataset(import_root, n_prompts=1)).encode())
    upload.name = "manifest.jsonl"
    response = client_for(carol).post("/api/imports/", {"manifest": upload, "campaign": campaign.pk},
                                      format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["pairs_created"] == 3


def test_the_import_api_refuses_a_base_dir_outside_the_roots(import_root, carol, client_for):
    upload = io.BytesIO(b"{}")
    upload.name = "manifest.jsonl"
    response = client_for(carol).post("/api/imports/", {"manifest": upload, "base_dir": "/etc"}, format="multipart")
    assert response.status_code == 400 and "outside the allowed import folders" in response.json()["detail"]


def test_the_import_command_prints_bad_rows(import_root, capsys):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    rows[1]["seed"] = "twelve"
    manifest = import_root / "manifest.jsonl"
    manifest.write_text(_jsonl(rows))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_manifest", str(manifest))
    assert "line 2 [seed]" in capsys.readouterr().err


def test_the_import_command_imports_into_a_campaign(import_root, capsys):
    campaign = CampaignFactory(slug="spring")
    manifest = import_root / "manifest.jsonl"
    manifest.write_text(_jsonl(_dataset(import_root, n_prompts=1)))
    call_command("import_manifest", str(manifest), "--campaign", "spring")
    assert json.loads(capsys.readouterr().out)["pairs_created"] == 3
    assert Pair.objects.filter(campaign=campaign).count() == 3
