"""Every /api/ endpoint x every role: who is let in, who is refused, and that nothing an
annotator can fetch names a generator. The table is checked against the URL resolver, so a new
endpoint without a row here fails the suite."""
from __future__ import annotations

import json
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from annotation.models import Assignment, AssignmentState
from tests.annotation.support import submit_body
from tests.security.conftest import SECRET

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "annotator", "other_annotator", "reviewer", "admin"]
ACTOR = {"anonymous": None, "no_role": "mallory", "annotator": "alice", "other_annotator": "bob",
         "reviewer": "rita", "admin": "carol"}

ANON = {401, 403}
DENY = {403}
HIDDEN = {404}


def exp(anonymous=ANON, no_role=DENY, annotator=DENY, other_annotator=None, reviewer=DENY, admin=DENY):
    other_annotator = annotator if other_annotator is None else other_annotator
    return {"anonymous": anonymous, "no_role": no_role, "annotator": annotator,
            "other_annotator": other_annotator, "reviewer": reviewer, "admin": admin}


EVERY_ANNOTATOR = dict(annotator={200}, reviewer={200}, admin={200})
REVIEWERS_READ = dict(reviewer={200}, admin={200})

# name -> [(method, path template, body, format, expected per role)]. {a}: alice's assignment;
# the "annotator" row acts on its own objects, every other role on alice's.
# Write bodies are chosen to be refused by validation (400) or to be idempotent, so the table can
# run in one pass; the real writes and other people's leases are exercised in the tests below.
MATRIX = {
    "me": [("get", "/api/me/", None, None, exp(no_role={200}, **EVERY_ANNOTATOR))],
    # campaign settings: annotators read, admins write (bodies refused by the service: 400)
    "campaign-list": [("get", "/api/campaigns/", None, None, exp(**EVERY_ANNOTATOR)),
                      ("post", "/api/campaigns/", {"overlap": 0}, "json", exp(admin={400}))],
    "campaign-detail": [("get", "/api/campaigns/{c}/", None, None, exp(**EVERY_ANNOTATOR)),
                        ("patch", "/api/campaigns/{c}/", {"overlap": 0}, "json", exp(admin={400}))],
    "campaign-archive": [("post", "/api/campaigns/999999/archive/", None, "json", exp(admin=HIDDEN))],
    "campaign-next": [("post", "/api/campaigns/{c}/next/", {"exclude": "x"}, "json",
                       exp(annotator={400}, reviewer={400}, admin={400}))],
    "campaign-progress": [("get", "/api/campaigns/{c}/progress/", None, None, exp(**EVERY_ANNOTATOR))],
    "assignment-detail": [("get", "/api/assignments/{a}/", None, None,
                           exp(annotator={200}, other_annotator=HIDDEN, reviewer=HIDDEN, admin=HIDDEN))],
    "assignment-heartbeat": [("post", "/api/assignments/{a}/heartbeat/", None, "json",
                              exp(annotator={200}, other_annotator=HIDDEN, reviewer=HIDDEN, admin=HIDDEN))],
    # validation runs before the owner check: 400 here; other people's leases -> 404 below
    "assignment-submit": [("post", "/api/assignments/{a}/submit/", {}, "json",
                           exp(annotator={400}, reviewer={400}, admin={400}))],
    "assignment-skip": [("post", "/api/assignments/{a}/skip/", {}, "json",
                         exp(annotator={400}, reviewer={400}, admin={400}))],
    "assignment-flag": [("post", "/api/assignments/{a}/flag/", {}, "json",
                         exp(annotator={400}, reviewer={400}, admin={400}))],
    "import": [("post", "/api/imports/", {}, "multipart", exp(admin={400})),
               ("get", "/api/imports/", None, None, exp(admin={405}))],
    "import-bundle": [("post", "/api/imports/bundle/", {}, "multipart", exp(admin={400}))],
    "import-folders": [("get", "/api/imports/folders/", None, None, exp(admin={200}))],
    "import-progress": [("post", "/api/imports/progress/", {"videos": [1]}, "json", exp(admin={200}))],
    "review-annotators": [("get", "/api/review/campaigns/{c}/annotators/", None, None, exp(**REVIEWERS_READ))],
    "quality-agreement": [("get", "/api/campaigns/{c}/quality/agreement/", None, None, exp(**REVIEWERS_READ))],
    "quality-agreement-history": [("get", "/api/campaigns/{c}/quality/agreement/history/", None, None,
                                   exp(**REVIEWERS_READ))],
    "quality-leaderboard": [("get", "/api/campaigns/{c}/quality/leaderboard/?n_boot=10", None, None,
                             exp(**REVIEWERS_READ))],
    "quality-annotators": [("get", "/api/campaigns/{c}/quality/annotators/", None, None, exp(**REVIEWERS_READ))],
    "quality-review-queue": [("get", "/api/campaigns/{c}/quality/review-queue/", None, None,
                              exp(**REVIEWERS_READ))],
    "quality-refresh": [("post", "/api/campaigns/{c}/quality/refresh/", None, "json",
                         exp(reviewer={202}, admin={202}))],
    "annotator-status": [("post", "/api/campaigns/{c}/annotators/{u}/status/", {}, "json",
                          exp(reviewer={400}, admin={400}))],
    "pair-adjudicate": [("post", "/api/pairs/{p}/adjudicate/", {}, "json", exp(reviewer={400}, admin={400}))],
    # Data browser and pair page: reviewers read. History, answer edits and comments: every annotator on
    # their own work (alice only leased {p}, so its comments are hidden from her; bodies fail validation first).
    "data-videos": [("get", "/api/data/videos/?status=ready", None, None, exp(**REVIEWERS_READ))],
    "data-pairs": [("get", "/api/data/pairs/?campaign={c}", None, None, exp(**REVIEWERS_READ))],
    "data-judgments": [("get", "/api/data/judgments/?annotator={u}&dimension=motion", None, None,
                        exp(**REVIEWERS_READ))],
    "data-flags": [("get", "/api/data/flags/?status=open", None, None, exp(**REVIEWERS_READ))],
    "pair-detail": [("get", "/api/pairs/{p}/", None, None, exp(**REVIEWERS_READ))],
    "review-pair-segments": [("get", "/api/review/pairs/{p}/segments/", None, None, exp(**REVIEWERS_READ))],
    "pair-comments": [("get", "/api/pairs/{p}/comments/", None, None, exp(annotator=HIDDEN, **REVIEWERS_READ)),
                      ("post", "/api/pairs/{p}/comments/", {}, "json",
                       exp(annotator={400}, reviewer={400}, admin={400}))],
    "my-history": [("get", "/api/me/history/", None, None, exp(**EVERY_ANNOTATOR))],
    "assignment-answers": [("post", "/api/assignments/{a}/answers/", {}, "json",
                            exp(annotator={400}, reviewer={400}, admin={400}))],
    "upload": [("post", "/api/uploads/", {}, "multipart", exp(admin={400}))],
    "upload-detail": [("get", "/api/uploads/{v}/", None, None, exp(admin={200}))],
    "dataset-list": [("get", "/api/datasets/", None, None, exp(**REVIEWERS_READ)),
                     ("post", "/api/datasets/", {}, "json", exp(admin={400}))],
    "dataset-detail": [("get", "/api/datasets/{d}/", None, None, exp(**REVIEWERS_READ))],
    "dataset-build": [("post", "/api/datasets/{d}/build/", None, "json", exp(admin={409}))],  # ready: immutable
    "dataset-rebuild": [("post", "/api/datasets/{d}/rebuild/", None, "json", exp(admin={201}))],
    "dataset-archive": [("get", "/api/datasets/{d}/archive/?kind=tar", None, None, exp(**REVIEWERS_READ)),
                        ("get", "/api/datasets/{d}/archive/?kind=rar", None, None, exp(reviewer={400}, admin={400}))],
    # People (admins only). {u}: alice; bodies are refused by validation, resume/reset act on nobody.
    "people-list": [("get", "/api/people/", None, None, exp(admin={200})),
                    ("post", "/api/people/", {}, "json", exp(admin={400}))],
    "person-roles": [("post", "/api/people/{u}/roles/", {}, "json", exp(admin={400}))],
    "person-pause": [("post", "/api/people/{u}/pause/", {}, "json", exp(admin={400}))],
    "person-resume": [("post", "/api/people/999999/resume/", None, "json", exp(admin=HIDDEN))],
    "person-reset-password": [("post", "/api/people/999999/reset-password/", None, "json", exp(admin=HIDDEN))],
    "dataset-file": [("get", "/api/datasets/{d}/files/README.md", None, None, exp(**REVIEWERS_READ)),
                     ("get", "/api/datasets/{d}/files/../../../etc/passwd", None, None,
                      exp(reviewer=HIDDEN, admin=HIDDEN))],
    # Runs and reward models: reviewers read, admins act. {r}: a succeeded reward run (so cancel is a
    # 409), {m}: its promoted model (promoting it again is idempotent), {rp}: a retrain policy.
    "run-list": [("get", "/api/runs/?kind=reward&state=succeeded", None, None, exp(**REVIEWERS_READ)),
                 ("post", "/api/runs/", {}, "json", exp(admin={400}))],
    "run-detail": [("get", "/api/runs/{r}/", None, None, exp(**REVIEWERS_READ))],
    "run-file": [("get", "/api/runs/{r}/files/gapo/eval/index.json", None, None, exp(**REVIEWERS_READ)),
                 ("get", "/api/runs/{r}/files/gapo/eval/../../../../etc/passwd", None, None,
                  exp(reviewer=HIDDEN, admin=HIDDEN))],
    "run-cancel": [("post", "/api/runs/{r}/cancel/", None, "json", exp(admin={409}))],
    "reward-model-list": [("get", "/api/reward-models/", None, None, exp(**REVIEWERS_READ))],
    "reward-model-curves": [("get", "/api/reward-models/promoted/curves/?videos=1,2", None, None,
                             exp(**REVIEWERS_READ))],
    "reward-model-promote": [("post", "/api/reward-models/{m}/promote/", None, "json", exp(admin={200}))],
    "retrain-policy-list": [("get", "/api/retrain-policies/", None, None, exp(admin={200}))],
    "retrain-now": [("post", "/api/retrain-policies/{rp}/retrain/", None, "json", exp(admin={201}))],
    "schema": [("get", "/api/schema/?format=json", None, None, exp(no_role={200}, **EVERY_ANNOTATOR))],
    "api-docs": [("get", "/api/docs/", None, None, exp(no_role={200}, **EVERY_ANNOTATOR))],
}


def api_url_names() -> set[str]:
    found = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and (prefix + str(p.pattern)).startswith("api/"):
                assert p.name, f"unnamed endpoint {prefix + str(p.pattern)}: name it and add it to MATRIX"
                found.add(p.name)

    walk(get_resolver().url_patterns, "")
    return found


def test_the_matrix_lists_every_api_endpoint():
    names = api_url_names()
    assert names - MATRIX.keys() == set(), "endpoints missing from MATRIX (add a row with who may call them)"
    assert MATRIX.keys() - names == set(), "MATRIX rows for endpoints that no longer exist"


def _call(client, method, url, body, fmt):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body if body is not None else {}, format=fmt or "json")


@pytest.fixture
def run_ids(world, settings, tmp_path) -> dict[str, int]:
    from training.models import RetrainPolicy, RewardModelVersion, RunState, TrainingRun

    run = TrainingRun.objects.create(kind="reward", state=RunState.SUCCEEDED, dataset_version=world.version,
                                     step=4, total_steps=4)
    settings.RUNS_ROOT = tmp_path / "runs"
    (settings.RUNS_ROOT / str(run.pk) / "gapo" / "eval").mkdir(parents=True)
    (settings.RUNS_ROOT / str(run.pk) / "gapo" / "eval" / "index.json").write_text('{"rows": []}')
    model = RewardModelVersion.objects.create(run=run, dataset_version=world.version,
                                              dataset_sha256=world.version.sha256, checkpoint_uri="unused",
                                              metrics={}, accuracy=0.7, promoted=True)
    policy = RetrainPolicy.objects.create(name="matrix", campaign_ids=list(world.version.campaign_ids))
    return {"r": run.pk, "m": model.pk, "rp": policy.pk}


def test_every_endpoint_for_every_role(world, run_ids, request, client_for, alice):
    ids = {"c": world.campaign.pk, "a": world.alice_lease["assignment"], "p": world.pair.pk,
           "v": world.video.pk, "d": world.version.pk, "u": alice.pk, **run_ids}
    clients = {role: client_for(request.getfixturevalue(name) if name else None) for role, name in ACTOR.items()}
    wrong = []
    seen_by_annotators = []
    for name, rows in MATRIX.items():
        for method, template, body, fmt, expected in rows:
            url = template.format(**ids)
            for role in ROLES:
                response = _call(clients[role], method, url, body, fmt)
                if response.status_code not in expected[role]:
                    wrong.append(f"{role:16} {method.upper():5} {url}: {response.status_code}, "
                                 f"expected {sorted(expected[role])}")
                if role in ("annotator", "other_annotator", "no_role"):
                    seen_by_annotators.append((role, url, response))
    assert not wrong, "\n" + "\n".join(wrong)
    # nothing an annotator receives names a generator or carries a generator field
    for role, url, response in seen_by_annotators:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode("utf-8", "replace")
        assert SECRET not in text, (role, url)
        if "/api/schema/" not in url and "/api/docs/" not in url:
            assert '"generator"' not in text, (role, url)


def test_annotator_payloads_never_name_a_generator(world, client_for, alice, bob):
    """The full lease payloads (next, detail, heartbeat, submit result) of both annotators."""
    payloads = [world.alice_lease, world.bob_lease]
    client = client_for(alice)
    a = world.alice_lease["assignment"]
    payloads.append(client.get(f"/api/assignments/{a}/").json())
    payloads.append(client.post(f"/api/assignments/{a}/heartbeat/").json())
    payloads.append(client.post(f"/api/assignments/{a}/submit/", submit_body(world.alice_lease), format="json").json())
    payloads.append(client.get(f"/api/assignments/{a}/").json())
    payloads.append(client.get(f"/api/campaigns/{world.campaign.pk}/progress/").json())
    payloads.append(client.post(f"/api/campaigns/{world.campaign.pk}/next/", {}, format="json").json())
    for i, payload in enumerate(payloads):
        text = json.dumps(payload)
        assert SECRET not in text and '"generator"' not in text, text[:300]
        if i != 1:  # alice's payloads never mention the other annotator
            assert "bob" not in text and f'"annotator": {bob.pk}' not in text, text[:300]


@pytest.mark.parametrize("who", ["bob", "rita", "carol"])
def test_someone_elses_lease_is_a_404_for_every_action(world, who, request, client_for):
    """Nobody, not even an admin, can read or act on another person's lease through the annotator API."""
    client = client_for(request.getfixturevalue(who))
    lease = world.alice_lease
    a = lease["assignment"]
    before = Assignment.objects.values("state", "expires_at", "client_key").get(pk=a)
    key = uuid.uuid4().hex
    attempts = {
        "detail": client.get(f"/api/assignments/{a}/"),
        "heartbeat": client.post(f"/api/assignments/{a}/heartbeat/"),
        "submit": client.post(f"/api/assignments/{a}/submit/", submit_body(lease), format="json"),
        "skip": client.post(f"/api/assignments/{a}/skip/", {"client_key": key}, format="json"),
        "flag": client.post(f"/api/assignments/{a}/flag/", {"client_key": key, "reason": "other"}, format="json"),
    }
    for action, response in attempts.items():
        assert response.status_code == 404, (action, response.status_code, response.content[:200])
        assert SECRET not in response.content.decode()
    assert Assignment.objects.values("state", "expires_at", "client_key").get(pk=a) == before
    assert before["state"] == AssignmentState.LEASED


def test_a_leaked_assignment_id_does_not_reveal_whether_it_exists(world, client_for, bob):
    """Someone else's assignment and a missing one answer the same 404 body."""
    client = client_for(bob)
    theirs = client.get(f"/api/assignments/{world.alice_lease['assignment']}/")
    missing = client.get("/api/assignments/999999999/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_the_django_admin_is_closed_to_non_staff(who, request, client, world):
    client.force_login(request.getfixturevalue(who))
    for url in ["/admin/", "/admin/annotation/video/", "/admin/studio_platform/auditlog/", "/admin/auth/user/",
                f"/admin/annotation/video/{world.video.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_audit_log_is_hidden_from_staff_without_the_admin_role(client, db):
    from tests.factories import UserFactory

    staff_reviewer = UserFactory(username="staffrev", roles=["reviewer"], is_staff=True)
    client.force_login(staff_reviewer)
    assert client.get("/admin/studio_platform/auditlog/").status_code == 403


def test_media_files_need_a_signed_in_user(client, media_root, db):
    (media_root / "videos").mkdir()
    (media_root / "videos" / "x.mp4").write_bytes(b"\x00" * 16)
    response = client.get("/media/videos/x.mp4")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
