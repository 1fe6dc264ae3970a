"""Server-made messages of the campaigns, imports and not-allowed pages in the reader's language
(django_language cookie or Accept-Language), while the import still groups rows on the English
wording and the CLI stays English (annotation/import_messages.py, annotation/services/campaigns.py)."""
from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from annotation.import_messages import ROW_TEMPLATES, import_message_display
from annotation.manifests import RowError, errors_grouped
from annotation.services import campaigns as svc
from tests.annotation.test_campaign_settings import GOOD
from tests.annotation.test_imports import _dataset, _jsonl

pytestmark = pytest.mark.django_db


def _manifest(rows):
    upload = io.BytesIO(_jsonl(rows).encode())
    upload.name = "manifest.jsonl"
    return upload


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_a_campaign_field_error_comes_back_in_japanese(client_for, carol, how):
    client = client_for(carol)
    headers = {}
    if how == "cookie":
        client.cookies["django_language"] = "ja"
    else:
        headers["HTTP_ACCEPT_LANGUAGE"] = "ja,en;q=0.5"

    body = client.post("/api/campaigns/", {**GOOD, "overlap": 99, "slug": "a b"}, format="json", **headers).json()

    assert body["fields"]["overlap"] == ["1 から 50 の範囲で指定してください。"]
    assert body["fields"]["slug"] == ["小文字の英字、数字、ハイフンのみ使えます（例: 'spring-2027-i2v'）。"]
    assert body["detail"].startswith("一部のキャンペーン設定が無効です")


def test_a_type_error_in_the_body_is_japanese_too(client_for, carol):
    client = client_for(carol)
    client.cookies["django_language"] = "ja"
    body = client.post("/api/campaigns/", {**GOOD, "overlap": "many"}, format="json").json()
    assert body["detail"] == "リクエストの内容が無効です。'fields' を確認してください。"
    assert "valid integer" not in body["fields"]["overlap"][0]  # DRF's own catalog


def test_campaign_errors_stay_english_without_a_language_and_on_the_command_line(client_for, carol):
    body = client_for(carol).post("/api/campaigns/", {**GOOD, "overlap": 99}, format="json").json()
    assert body["fields"]["overlap"] == ["Must be between 1 and 50."]
    with pytest.raises(CommandError) as exc:  # a command runs in LANGUAGE_CODE (en), not a reader's language
        call_command("create_campaign", "--name", "X", "--slug", "a b", "--dimensions", "motion",
                     stdout=io.StringIO())
    assert "Use lowercase letters" in str(exc.value)


def test_a_chinese_dry_run_still_groups_rows_by_cause(import_root, carol, client_for):
    rows = _dataset(import_root, n_prompts=2, videos_per_prompt=2)
    rows[0]["video"] = "missing-1.mp4"
    rows[2]["video"] = "missing-2.mp4"
    rows[3]["seed"] = 1.5
    client = client_for(carol)
    client.cookies["django_language"] = "zh-hans"

    body = client.post("/api/imports/", {"manifest": _manifest(rows), "dry_run": True}, format="multipart").json()

    groups = [(g["field"], g["lines"], g["example"]) for g in body["error_groups"]]
    assert groups == [("video", [1, 3], "'missing-1.mp4' 不存在或不是文件"),
                      ("seed", [4], "必须是 64 位范围内的整数（不带小数点或指数）")]
    assert [e["message"] for e in body["errors"]][:2] == ["'missing-1.mp4' 不存在或不是文件",
                                                          "'missing-2.mp4' 不存在或不是文件"]
    assert body["error_groups"][0]["cause"] == "'…' does not exist or is not a file"  # the English key


def test_a_rejected_import_is_shown_in_japanese(import_root, carol, client_for):
    rows = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    rows[1]["unexpected"] = 1
    client = client_for(carol)
    body = client.post("/api/imports/", {"manifest": _manifest(rows)}, format="multipart",
                       HTTP_ACCEPT_LANGUAGE="ja").json()
    assert body["detail"].startswith("マニフェストに 1 件の問題があります")
    assert body["error_groups"][0]["example"] == "不明なフィールド: unexpected"


def test_every_row_template_has_a_translation_with_the_same_parts():
    for lang in ("zh-hans", "ja"):
        with translation.override(lang):
            for template in ROW_TEMPLATES:
                translated = translation.gettext(template)
                assert translated != template, f"{lang}: {template!r} has no catalog entry"
                parts = {name: "X" for name in re.findall(r"\{(\w+)\}", template)}
                translated.format(**parts)  # a renamed part would raise KeyError


def test_the_messages_the_parser_writes_are_all_matched(tmp_path):
    """Drift guard: every row problem of a bad manifest is one of the templates (else it shows in English)."""
    from annotation.manifests import parse_manifest

    lines = ['{"prompt": "p", "initial_image": "../outside.png", "video": "nope.mp4", "generator": "g", '
             '"seed": "x", "action_label": 5, "extra": 1}', "not json", "[1]",
             json.dumps({"prompt": "", "initial_image": "", "video": "a\x00b", "generator": "g" * 121})]
    parsed = parse_manifest("\n".join(lines), fmt="jsonl", base_dir=tmp_path, roots=[tmp_path / "in"], max_rows=10)
    assert len(parsed.errors) >= 8
    with translation.override("ja"):
        for error in parsed.errors:
            assert import_message_display(error.message) != error.message, error.message
    # grouping reads the English message whatever the language
    with translation.override("zh-hans"):
        groups = errors_grouped([RowError(2, "video", "'b.mp4' does not exist or is not a file"),
                                 RowError(1, "video", "'a.mp4' does not exist or is not a file")])
    assert [(g["lines"], g["example"]) for g in groups] == [([1, 2], "'a.mp4' does not exist or is not a file")]


def test_the_messages_the_import_service_writes_are_all_matched(import_root):
    """Drift guard for annotation/services/imports.py's row problems (images, duplicates)."""
    from annotation.services.imports import videos_import_manifest

    first = _dataset(import_root, n_prompts=1, videos_per_prompt=2)
    videos_import_manifest(text=_jsonl(first[:1]), manifest_name="m.jsonl", base_dir=import_root)
    (import_root / "broken.png").write_text("not an image")
    rows = _dataset(import_root, n_prompts=2, videos_per_prompt=2)
    rows[1]["video"] = rows[3]["video"]  # same content as a later line
    rows[2]["initial_image"] = "broken.png"
    report = videos_import_manifest(text=_jsonl(rows), manifest_name="m.jsonl", base_dir=import_root, dry_run=True)
    messages = {e["message"] for e in report.errors}
    assert any("already imported" in m for m in messages) and any("same file content" in m for m in messages)
    assert any("readable PNG" in m for m in messages)
    with translation.override("zh-hans"):
        for message in messages:
            assert import_message_display(message) != message, message


@pytest.mark.parametrize("path,user,status,text", [
    ("/studio/data/", "alice", 403, "此页面仅供审核员和管理员使用。请让管理员把你加入 'reviewer' 组。"),
    ("/studio/campaigns/", "rita", 403, "此页面仅供管理员使用。请让管理员把你加入 'admin' 组。"),
    ("/studio/pairs/987654/", "rita", 404, "没有编号为 987654 的配对。数据浏览器列出了全部配对。"),
])
def test_the_not_allowed_page_speaks_chinese(request, path, user, status, text):
    client = Client()
    client.force_login(request.getfixturevalue(user))
    client.cookies["django_language"] = "zh-hans"
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == status
    assert escape(text) in body
    assert "Ask an admin" not in body and "No pair" not in body


def test_the_not_allowed_page_stays_english_by_default(alice):
    client = Client()
    client.force_login(alice)
    assert "This page is for reviewers and admins." in client.get("/studio/data/").content.decode()
