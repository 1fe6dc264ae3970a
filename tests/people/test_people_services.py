"""people.services: invitations and resets as one-time links (hashed, expiring, single use), roles,
pause/resume through the annotator statuses, and an audit row for every change."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from annotation.models import AnnotatorState, AnnotatorStatus, CampaignStatus
from people import services
from people.models import SignInLink
from studio_platform.errors import ValidationFailed
from studio_platform.models import AuditLog
from studio_platform.roles import user_roles
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _actions(user) -> list[str]:
    return list(AuditLog.objects.filter(target_type="auth.user", target_id=str(user.pk), action__startswith="person.")
                .order_by("id").values_list("action", flat=True))


def test_an_invitation_stores_only_the_tokens_hash_and_the_person_cannot_sign_in_yet(carol):
    issued = services.person_invite(username="dora", email="dora@example.org", roles=["annotator"], created_by=carol)

    link = SignInLink.objects.get(user=issued.user)
    assert link.token_sha256 == services.token_hash(issued.token) != issued.token
    assert issued.token not in link.token_sha256 and len(issued.token) >= 40
    assert link.expires_at - timezone.now() > services.LINK_TTL - timedelta(minutes=1)
    assert not issued.user.has_usable_password()
    assert user_roles(get_user_model().objects.get(username="dora")) == {"annotator"}
    assert _actions(issued.user) == ["person.invite"]
    assert AuditLog.objects.get(action="person.invite").actor == carol


def test_a_link_works_once_then_never_again(carol):
    issued = services.person_invite(username="dora", roles=["annotator"], created_by=carol)

    user = services.sign_in_link_redeem(token=issued.token, password="a long pass phrase", password_again="a long pass phrase")

    assert user.check_password("a long pass phrase")
    with pytest.raises(services.SignInLinkInvalid):
        services.sign_in_link_redeem(token=issued.token, password="another pass phrase", password_again="another pass phrase")
    assert get_user_model().objects.get(pk=user.pk).check_password("a long pass phrase")
    assert _actions(user) == ["person.invite", "person.link_used"]


def test_expired_replaced_and_made_up_links_are_refused(carol):
    issued = services.person_invite(username="dora", roles=["annotator"], created_by=carol)
    with pytest.raises(services.SignInLinkInvalid):
        services.sign_in_link_open(token=issued.token, now=timezone.now() + services.LINK_TTL + timedelta(seconds=1))
    with pytest.raises(services.SignInLinkInvalid):
        services.sign_in_link_open(token="made-up")

    newer = services.person_password_reset(user=issued.user, actor=carol)

    with pytest.raises(services.SignInLinkInvalid):
        services.sign_in_link_open(token=issued.token)
    assert services.sign_in_link_open(token=newer.token).purpose == "reset"
    assert SignInLink.objects.filter(user=issued.user, used_at__isnull=True).count() == 1


def test_bad_passwords_leave_the_link_open(carol):
    from django.utils import translation

    issued = services.person_invite(username="dora", roles=["annotator"], created_by=carol)
    with pytest.raises(ValidationFailed, match="differ"):
        services.sign_in_link_redeem(token=issued.token, password="a long pass phrase", password_again="other")
    # Django's validators speak the active language (an earlier request may have left ja active).
    with translation.override("en"), pytest.raises(ValidationFailed, match="too short"):
        services.sign_in_link_redeem(token=issued.token, password="short", password_again="short")
    assert services.sign_in_link_open(token=issued.token)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tabs_redeeming_the_same_link_together_set_one_password():
    from tests.factories import UserFactory

    admin = UserFactory(username="carol2", roles=["admin"])
    issued = services.person_invite(username="dora", roles=["annotator"], created_by=admin)
    barrier = threading.Barrier(2)
    outcomes = []

    def redeem(password):
        try:
            barrier.wait()
            services.sign_in_link_redeem(token=issued.token, password=password, password_again=password)
            outcomes.append(password)
        except services.SignInLinkInvalid:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(p,)) for p in ("first pass phrase", "second pass phrase")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes).count("refused") == 1
    winner = next(o for o in outcomes if o != "refused")
    assert get_user_model().objects.get(username="dora").check_password(winner)


def test_an_invitation_is_refused_whole_on_bad_input(carol):
    services.person_invite(username="dora", roles=["annotator"], created_by=carol)
    for kwargs, message in [({"username": "Dora"}, "taken"), ({"username": "has space"}, "letters, digits"),
                            ({"username": "eve", "email": "not-an-email"}, "not an email"),
                            ({"username": "eve", "roles": ["owner"]}, "roles must be"),
                            ({"username": "eve", "roles": []}, "at least one role")]:
        with pytest.raises(ValidationFailed, match=message):
            services.person_invite(**{"roles": ["annotator"], **kwargs}, created_by=carol)
    assert not get_user_model().objects.filter(username="eve").exists()
    assert SignInLink.objects.count() == 1


def test_roles_are_replaced_and_an_admin_keeps_their_own_admin_role(carol, alice):
    assert services.person_roles_set(user=alice, roles=["reviewer", "annotator"], actor=carol) == ["annotator", "reviewer"]
    assert user_roles(get_user_model().objects.get(pk=alice.pk)) == {"annotator", "reviewer"}
    with pytest.raises(ValidationFailed, match="admin role from yourself"):
        services.person_roles_set(user=carol, roles=["reviewer"], actor=carol)
    assert _actions(alice) == ["person.roles"]
    assert AuditLog.objects.get(action="person.roles").details == {"from": ["annotator"], "to": ["annotator", "reviewer"]}


def test_pause_uses_the_annotator_status_of_every_open_campaign_and_resume_lifts_it(carol, alice):
    open_a, open_b = CampaignFactory(), CampaignFactory(status=CampaignStatus.PAUSED)
    CampaignFactory(status=CampaignStatus.CLOSED)

    paused = services.person_pause(user=alice, reason="gold accuracy dropped", actor=carol)

    assert sorted(paused) == sorted([open_a.pk, open_b.pk])
    states = dict(AnnotatorStatus.objects.filter(annotator=alice).values_list("campaign_id", "state"))
    assert states == {open_a.pk: AnnotatorState.PAUSED, open_b.pk: AnnotatorState.PAUSED}

    assert sorted(services.person_resume(user=alice, actor=carol)) == sorted(paused)
    assert set(AnnotatorStatus.objects.filter(annotator=alice).values_list("state", flat=True)) == {AnnotatorState.ACTIVE}
    assert _actions(alice) == ["person.pause", "person.resume"]
    with pytest.raises(ValidationFailed, match="Say why"):
        services.person_pause(user=alice, reason="  ", actor=carol)
    with pytest.raises(ValidationFailed, match="yourself"):
        services.person_pause(user=carol, reason="x", actor=carol)


def test_a_reset_stops_the_old_password_at_once(carol, alice):
    issued = services.person_password_reset(user=alice, actor=carol)
    alice.refresh_from_db()
    assert not alice.has_usable_password()
    services.sign_in_link_redeem(token=issued.token, password="brand new phrase", password_again="brand new phrase")
    alice.refresh_from_db()
    assert alice.check_password("brand new phrase")
    assert _actions(alice) == ["person.password_reset", "person.link_used"]


def test_a_name_taken_between_the_check_and_the_insert_is_a_400_not_a_500(carol, monkeypatch):
    from django.db.models import QuerySet

    get_user_model().objects.create(username="dora")
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # the other admin's insert lands after our check
    with pytest.raises(ValidationFailed, match="taken"):
        services.person_invite(username="dora", roles=["annotator"], created_by=carol)
    assert SignInLink.objects.count() == 0
