"""Writes of people management. Each takes keyword-only arguments, validates before it stores
anything, runs in one transaction and writes one audit row (studio_platform/audit.py).

Sign-in links: a random 256-bit token goes into the URL once; only its sha256 is stored. Issuing
a link closes the person's open one (one open link each, a partial UNIQUE index), redeeming is a
conditional UPDATE that must touch the one open, unexpired row: a link works once even when two
tabs submit it together."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotation.models import AnnotatorState, Campaign, CampaignStatus
from annotation.services.gold import annotator_status_set
from people.models import LinkPurpose, SignInLink
from studio_platform.audit import acting_as, audit_record
from studio_platform.errors import StudioError, ValidationFailed
from studio_platform.roles import ADMIN, ROLES

LINK_TTL = timedelta(hours=72)

MSG_USERNAME_TAKEN = "The username {name!r} is taken; choose another."
MSG_USERNAME_INVALID = "A username is 1-150 letters, digits and @ . + - _ (got {name!r})."
MSG_EMAIL_INVALID = "{email!r} is not an email address; leave it empty or correct it."
MSG_ROLES_INVALID = "roles must be a list drawn from {valid} (got {got!r})."
MSG_ROLE_NEEDED = "Give the person at least one role: {valid}."
MSG_SELF_ADMIN = "You cannot take the admin role from yourself; ask another admin."
MSG_SELF = "You cannot pause or reset yourself; ask another admin."
MSG_PAUSE_REASON = "Say why the person is paused (1-500 characters); they and other reviewers see it."
MSG_LINK_INVALID = "This sign-in link is not valid: it was used already, replaced by a newer one, or expired. " \
                   "Ask an admin for a new link."
MSG_PASSWORDS_DIFFER = "The two passwords differ; type the same password twice."


class SignInLinkInvalid(StudioError):
    """The link was used, replaced or expired; only a new link helps."""

    status_code = 410
    code = "sign_in_link_invalid"


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued: the raw token exists only here (never stored)."""

    user: object
    token: str
    expires_at: object


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles_checked(roles) -> list[str]:
    if not isinstance(roles, (list, tuple)) or any(r not in ROLES for r in roles):
        raise ValidationFailed(MSG_ROLES_INVALID.format(valid=", ".join(ROLES), got=roles))
    if not roles:
        raise ValidationFailed(MSG_ROLE_NEEDED.format(valid=", ".join(ROLES)))
    return sorted(set(roles))


def sign_in_link_issue(*, user, purpose: str, created_by, now=None) -> IssuedLink:
    """Close the person's open link (if any) and issue a new one."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        SignInLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        link = SignInLink.objects.create(user=user, token_sha256=token_hash(token), purpose=purpose,
                                         created_by=created_by, expires_at=now + LINK_TTL)
    return IssuedLink(user=user, token=token, expires_at=link.expires_at)


def person_invite(*, username: str, email: str = "", roles, created_by, request=None) -> IssuedLink:
    """A new person with the given roles and no usable password, and their invitation link."""
    username = (username or "").strip()
    email = (email or "").strip()
    try:
        UnicodeUsernameValidator()(username)
        if not 1 <= len(username) <= 150:
            raise ValidationError("length")
    except ValidationError:
        raise ValidationFailed(MSG_USERNAME_INVALID.format(name=username[:160])) from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(MSG_EMAIL_INVALID.format(email=email[:200])) from None
    roles = _roles_checked(roles)
    User = get_user_model()
    with transaction.atomic(), acting_as(request):
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationFailed(MSG_USERNAME_TAKEN.format(name=username))
        user = User(username=username, email=email)
        user.set_unusable_password()
        try:
            with transaction.atomic():  # two admins inviting the same name at once: one wins, one gets a 400
                user.save()
        except IntegrityError:
            raise ValidationFailed(MSG_USERNAME_TAKEN.format(name=username)) from None
        user.groups.set(Group.objects.filter(name__in=roles))
        issued = sign_in_link_issue(user=user, purpose=LinkPurpose.INVITE, created_by=created_by)
        audit_record(request=request, actor=created_by, action="person.invite", target=user,
                     details={"roles": roles, "expires_at": issued.expires_at.isoformat()})
    return issued


def person_roles_set(*, user, roles, actor, request=None) -> list[str]:
    """Replace the person's studio roles (other groups are kept)."""
    roles = _roles_checked(roles)
    if user.pk == actor.pk and ADMIN not in roles:
        raise ValidationFailed(MSG_SELF_ADMIN)
    with transaction.atomic(), acting_as(request):
        before = sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        keep = list(user.groups.exclude(name__in=ROLES))
        user.groups.set(keep + list(Group.objects.filter(name__in=roles)))
        user.__dict__.pop("_studio_roles", None)
        audit_record(request=request, actor=actor, action="person.roles", target=user,
                     details={"from": before, "to": roles})
    return roles


def _not_self(user, actor) -> None:
    if user.pk == actor.pk:
        raise ValidationFailed(MSG_SELF)


def person_pause(*, user, reason: str, actor, request=None) -> list[int]:
    """Pause the person in every campaign that is not closed (annotator statuses, the same pause
    the gold check and reviewers use: no new pairs, live leases released). Returns campaign ids."""
    _not_self(user, actor)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500:
        raise ValidationFailed(MSG_PAUSE_REASON)
    campaigns = list(Campaign.objects.exclude(status=CampaignStatus.CLOSED).order_by("pk"))
    with transaction.atomic():
        for campaign in campaigns:
            annotator_status_set(campaign=campaign, annotator=user, action="pause", reviewer=actor, reason=reason)
        audit_record(request=request, actor=actor, action="person.pause", target=user,
                     details={"reason": reason, "campaigns": [c.pk for c in campaigns]})
    return [c.pk for c in campaigns]


def person_resume(*, user, actor, request=None) -> list[int]:
    """Resume the person wherever they are paused (by hand or by the gold check)."""
    _not_self(user, actor)
    paused = list(Campaign.objects.filter(annotator_statuses__annotator=user,
                                          annotator_statuses__state=AnnotatorState.PAUSED).order_by("pk"))
    with transaction.atomic():
        for campaign in paused:
            annotator_status_set(campaign=campaign, annotator=user, action="resume", reviewer=actor)
        audit_record(request=request, actor=actor, action="person.resume", target=user,
                     details={"campaigns": [c.pk for c in paused]})
    return [c.pk for c in paused]


def person_password_reset(*, user, actor, request=None) -> IssuedLink:
    """The current password stops working at once; the person sets a new one through the link."""
    _not_self(user, actor)
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        issued = sign_in_link_issue(user=user, purpose=LinkPurpose.RESET, created_by=actor)
        audit_record(request=request, actor=actor, action="person.password_reset", target=user,
                     details={"expires_at": issued.expires_at.isoformat()})
    return issued


def sign_in_link_open(*, token: str, now=None) -> SignInLink:
    """The open, unexpired link of `token` (for showing the form); SignInLinkInvalid otherwise."""
    now = now or timezone.now()
    link = (SignInLink.objects.select_related("user")
            .filter(token_sha256=token_hash(token or ""), used_at__isnull=True, expires_at__gt=now).first())
    if link is None or not link.user.is_active:
        raise SignInLinkInvalid(MSG_LINK_INVALID)
    return link


def sign_in_link_redeem(*, token: str, password: str, password_again: str, request=None, now=None):
    """Set the person's password through their link and close the link. Returns the user."""
    now = now or timezone.now()
    link = sign_in_link_open(token=token, now=now)
    if password != password_again:
        raise ValidationFailed(MSG_PASSWORDS_DIFFER)
    try:
        password_validation.validate_password(password, user=link.user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages)) from None
    with transaction.atomic():
        # Exactly one request wins the link; a second one (another tab, a replay) touches nothing.
        claimed = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if claimed != 1:
            raise SignInLinkInvalid(MSG_LINK_INVALID)
        user = link.user
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(request=request, actor=user, action="person.link_used", target=user,
                     details={"purpose": link.purpose})
    return user
