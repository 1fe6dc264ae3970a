"""Videos already in the studio (annotation/services/imports.py with on_duplicate="skip"): not stored
again, but paired into the target campaign, in a dry run and a real import alike; the CLI's and the
upload's wording for rejected rows (issue #20)."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from annotation.models import Pair, Video, VideoStatus
from annotation.services.import_bundles import MSG_NOT_UPLOADED
from studio_platform.errors import ImportRejected
from studio_platform.models import AuditLog
from tests.annotation.test_import_preview import _manifest
from tests.annotation.test_imports import _dataset, _import, _jsonl
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(import_root):
    """Two prompts of three videos, imported into a first campaign."""
    rows = _dataset(import_root, n_prompts=2, videos_per_prompt=3)
    _import(import_root, rows, campaign=CampaignFactory())
    return rows


def test_videos_already_in_the_studio_are_paired_into_a_new_campaign(import_root, imported):
    second = CampaignFactory()
    report = _import(import_root, imported, campaign=second, on_duplicate="skip")
    assert (report.videos_created, report.duplicates_skipped, report.duplicates_paired) == (0, 6, 6)
    assert report.pairs_created == 6 and Pair.objects.filter(campaign=second).count() == 6
    assert Video.objects.count() == 6  # nothing stored twice
    again = _import(import_root, imported, campaign=second, on_duplicate="skip")
    assert (again.duplicates_paired, again.pairs_created) == (6, 0)


def test_the_dry_run_previews_the_same_duplicate_counts_and_writes_nothing(import_root, imported):
    second = CampaignFactory()
    preview = _import(import_root, imported, campaign=second, on_duplicate="skip", dry_run=True)
    assert (preview.videos_created, preview.duplicates_skipped, preview.duplicates_paired) == (0, 6, 6)
    assert not Pair.objects.filter(campaign=second).exists()
    without_campaign = _import(import_root, imported, on_duplicate="skip", dry_run=True)
    assert (without_campaign.duplicates_skipped, without_campaign.duplicates_paired) == (6, 0)


def test_reused_videos_keep_the_campaigns_pair_budget(import_root, imported):
    budget = CampaignFactory(pairing="budget", pair_budget_per_prompt=1)
    report = _import(import_root, imported, campaign=budget, on_duplicate="skip")
    assert report.pairs_created == 2 and Pair.objects.filter(campaign=budget).count() == 2


def test_a_failed_video_already_there_is_not_paired(import_root, imported):
    Video.objects.filter(pk=Video.objects.order_by("id").first().pk).update(status=VideoStatus.FAILED)
    report = _import(import_root, imported, campaign=CampaignFactory(), on_duplicate="skip")
    assert (report.duplicates_skipped, report.duplicates_paired, report.pairs_created) == (6, 5, 1 + 3)


def test_a_bad_row_beside_duplicates_pairs_nothing(import_root, imported):
    second = CampaignFactory()
    rows = [*imported, {**imported[0], "video": "missing.mp4"}]
    with pytest.raises(ImportRejected):
        _import(import_root, rows, campaign=second, on_duplicate="skip")
    assert not Pair.objects.filter(campaign=second).exists()


def test_the_api_pairs_duplicates_into_the_chosen_campaign_and_audits_it(import_root, imported, carol,
                                                                          client_for):
    second = CampaignFactory()
    response = client_for(carol).post("/api/imports/", {"manifest": _manifest(imported), "campaign": second.pk,
                                                        "on_duplicate": "skip"}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["videos_created"], body["duplicates_skipped"], body["duplicates_paired"], body["pairs_created"]) \
        == (0, 6, 6, 6)
    assert AuditLog.objects.get(action="import").details["duplicates_paired"] == 6


def test_an_upload_row_naming_a_file_not_sent_says_so(import_root, tmp_path, carol, client_for):
    source = tmp_path / "local"
    rows = _dataset(source, n_prompts=1, videos_per_prompt=2)
    rows[1]["video"] = "x.mp4"
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(source.iterdir())]
    body = client_for(carol).post("/api/imports/bundle/", {"manifest": _manifest(rows), "files": files,
                                                           "dry_run": True}, format="multipart").json()
    assert [e["message"] for e in body["errors"]] == [MSG_NOT_UPLOADED.format(raw="x.mp4")]
    assert body["errors"][0]["message"].startswith("'x.mp4' is not among the uploaded files")


def test_the_command_hints_at_skip_duplicates_once_in_cli_words(import_root, imported, capsys):
    manifest = import_root / "manifest.jsonl"
    manifest.write_text(_jsonl(imported))
    with pytest.raises(CommandError) as raised:
        call_command("import_manifest", str(manifest))
    err = capsys.readouterr().err
    assert err.count("--skip-duplicates") == 1 and "already imported" in err
    assert "'errors'" not in str(raised.value) and "listed above" in str(raised.value)


def test_the_command_pairs_duplicates_into_a_campaign(import_root, imported, capsys):
    CampaignFactory(slug="second")
    manifest = import_root / "manifest.jsonl"
    manifest.write_text(_jsonl(imported))
    call_command("import_manifest", str(manifest), "--campaign", "second", "--skip-duplicates")
    assert Pair.objects.filter(campaign__slug="second").count() == 6


def test_the_command_names_the_import_roots_once_and_how_to_list_them(import_root, tmp_path, settings,
                                                                       capsys):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=3)
    manifest = import_root / "manifest.jsonl"
    manifest.write_text(_jsonl(rows))
    settings.IMPORT_ROOTS = [(tmp_path / "elsewhere").resolve(), (tmp_path / "other").resolve()]
    with pytest.raises(CommandError, match="listed above"):
        call_command("import_manifest", str(manifest))
    err = capsys.readouterr().err
    assert err.count(str(tmp_path / "elsewhere")) == 1 and "comma-separated" in err
    assert "line 3 [video]" in err or "line 3 [initial_image]" in err  # every row still named



def test_the_seeded_demo_manifest_pairs_into_a_second_campaign(import_root, carol, client_for):
    """The acceptance walk: `scripts/run` seeds the demo, then its manifest goes into a new campaign."""
    from annotation.services.demo import demo_seed
    from demo import GENERATORS, build_demo_dataset

    dataset = import_root / "demo"
    build_demo_dataset(dataset, n_prompts=2, generators=GENERATORS[:3], num_frames=12, fps=12, width=64, height=48)
    demo_seed(n_prompts=2, dataset_dir=dataset)
    second = CampaignFactory()
    response = client_for(carol).post("/api/imports/", {"server_manifest": str(dataset / "manifest.jsonl"),
                                                        "campaign": second.pk, "on_duplicate": "skip"},
                                      format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["videos_created"], body["duplicates_skipped"], body["duplicates_paired"]) == (0, 6, 6)
    assert body["pairs_created"] == Pair.objects.filter(campaign=second).count() == 6


def test_restarting_the_demo_does_not_pull_clips_imported_elsewhere_under_demo_prompts(import_root):
    """Seen walking the product: clips imported into another campaign with the demo's prompt keys were paired into
    the demo campaign when `scripts/run` restarted (it seeds the demo again)."""
    from annotation.services.demo import demo_seed
    from annotation.services.imports import videos_import_manifest
    from demo import GENERATORS, build_demo_dataset

    dataset = import_root / "demo"
    build_demo_dataset(dataset, n_prompts=2, generators=GENERATORS[:3], num_frames=12, fps=12, width=64, height=48)
    first = demo_seed(n_prompts=2, dataset_dir=dataset)
    demo_pairs = set(Pair.objects.filter(campaign=first.campaign).values_list("video_a_id", "video_b_id"))
    assert len(demo_pairs) == 6
    mine = import_root / "mine"  # the same two prompts (same keys), clips of another generator
    build_demo_dataset(mine, n_prompts=2, generators=GENERATORS[3:4], num_frames=12, fps=12, width=64, height=48)
    own = CampaignFactory()
    report = videos_import_manifest(text=(mine / "manifest.jsonl").read_text(), manifest_name="manifest.jsonl",
                                    base_dir=mine, campaign=own)
    assert report.videos_created == 2 and report.prompts_created == 0

    again = demo_seed(n_prompts=2, dataset_dir=dataset)  # the restart
    assert again.campaign == first.campaign
    assert set(Pair.objects.filter(campaign=first.campaign).values_list("video_a_id", "video_b_id")) == demo_pairs
    assert (again.import_report.videos_created, again.import_report.duplicates_skipped,
            again.import_report.pairs_created) == (0, 6, 0)
