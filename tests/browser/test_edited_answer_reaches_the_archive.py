"""Issue #20's chain in one headless Chromium walk: an annotator invited from the people page signs
in with the link, labels a pair by keyboard and edits one answer in My history; a reviewer filters
the data browser to her and sees the edit; the admin builds a dataset version on the exports page
and downloads it as a zip; opened with `datasets` (offline), the archive carries the edited answer,
not the original."""
from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.flows import (accept_invite, download_archive, edit_answer, export_build_from_page,
                                 filter_judgments, invite_person, label_one_pair, open_history_item)
from tests.browser.test_labelling import expected_strengths
from tests.export.test_load_with_datasets import offline_datasets  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHOICES = [0, 1, 2, 3, 4, 1]  # motion (2nd row): "Left better"
EDITED = 4  # motion changed to "Right much better"


def test_an_answer_edited_by_an_invited_annotator_reaches_the_downloaded_archive(
        studio, context_factory, monkeypatch, tmp_path, settings, offline_datasets):  # noqa: F811
    from django.contrib.auth import get_user_model

    from annotation.models import Assignment, Judgment, Pair
    from tests.export.conftest import judge
    from tests.factories import UserFactory
    from training.exports import services
    from training.exports.build import annotator_pseudonym

    UserFactory(username="carol", roles=["admin"])
    UserFactory(username="rita", roles=["reviewer"])
    settings.DATASETS_ROOT = tmp_path / "datasets"
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue", queued.append)  # built below, as in the exports page test
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    admin = context_factory(1280, 900).new_page()
    sign_in(admin, studio, "carol", "/studio/people/")
    link = invite_person(admin, username="dora", email="dora@example.org", role="annotator")

    annotator = context_factory().new_page()
    accept_invite(annotator, studio, link, "a long pass phrase")
    dora = get_user_model().objects.get(username="dora")
    annotator.goto(studio.label_url())
    pair = label_one_pair(annotator, CHOICES)
    assignment = Assignment.objects.get(pk=pair["assignment"], annotator=dora)
    original = expected_strengths(CHOICES, pair["left"])["motion"]
    edited = expected_strengths([0, EDITED, 0, 0, 0, 0], pair["left"])["motion"]
    assert original != edited
    # Another annotator judged a pair of the other prompt: a version needs two prompt groups to hold one out.
    other = Pair.objects.filter(campaign_id=studio.campaign_id, taken=0) \
        .exclude(video_a__prompt_id=assignment.pair.video_a.prompt_id).first()
    judge(other, UserFactory(username="bob", roles=["annotator"]), {"motion": -2, "smoothness": 1})

    item = open_history_item(annotator, studio, assignment.pk)
    assert item.locator("dd[data-dim=motion]").get_attribute("data-choice") == str(CHOICES[1])
    edit_answer(annotator, item, assignment.pk, "motion", EDITED)
    assert Judgment.objects.get(assignment=assignment, dimension__key="motion").strength == edited

    reviewer = context_factory().new_page()
    sign_in(reviewer, studio, "rita", "/studio/data/")
    filter_judgments(reviewer, annotator_id=dora.pk, dimension="motion", count=1)
    row = reviewer.locator(".data-table tbody tr", has=reviewer.locator(f"[data-pair-link='{assignment.pair_id}']"))
    assert row.count() == 1
    assert row.locator("[data-edited=true]").count() == 1
    assert row.locator("[data-strength]").get_attribute("data-strength") == str(edited)

    admin.goto(f"{studio.url}/studio/exports/")
    admin.locator(f"[name=campaigns][value='{studio.campaign_id}']").check()
    version = export_build_from_page(admin, queued)
    folder = download_archive(admin, version, tmp_path)
    admin.screenshot(path=str(SCREENSHOTS / "edited-answer-exported.png"), full_page=True)

    datasets, cache_dir = offline_datasets
    loaded = {table: datasets.load_dataset(str(folder), table, cache_dir=cache_dir)
              for table in ("judgments", "consensus")}
    judged = [(r["strength"], r["annotator"]) for split in loaded["judgments"].values() for r in split
              if r["pair_id"] == assignment.pair_id and r["dimension"] == "motion"]
    assert judged == [(edited, annotator_pseudonym(services.annotator_salt(), dora.pk))]
    consensus = [r["mean_strength"] for split in loaded["consensus"].values() for r in split
                 if r["pair_id"] == assignment.pair_id and r["dimension"] == "motion"]
    assert consensus == [edited]
