"""Creating, editing and archiving campaigns (the campaigns page, `manage.py create_campaign`).

Every write validates all settings first and reports every problem at once, per field, in
`CampaignInvalid.extra["fields"]` (the shape DRF gives its own 400s, so the form shows both the
same way). Nothing is stored unless every field passes. Each change is audited; with
`audit.acting_as(request)` around the call the row names the admin and their address.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from annotation.models import (
    Campaign, CampaignProtocol, CampaignStatus, Dimension, Pair, PairingStrategy, SelectionPolicy,
)
from studio_platform.audit import audit_record
from studio_platform.errors import ValidationFailed
from studio_platform.models import AuditAction

# Lazy: each is looked up in the request's language (locale/) when formatted; the CLI stays English.
MSG_INVALID = _("Some campaign settings are invalid; see 'fields'. Nothing was stored.")
MSG_REQUIRED = _("Required.")
MSG_TOO_LONG = _("At most {limit} characters.")
MSG_SLUG = _("Use lowercase letters, digits and hyphens only (for example 'spring-2027-i2v').")
MSG_SLUG_TAKEN = _("Another campaign already uses this slug; choose a different one.")
MSG_CHOICE = _("Must be one of: {choices}.")
MSG_RANGE = _("Must be between {low} and {high}.")
MSG_NO_DIMENSIONS = _("Choose at least one dimension.")
MSG_UNKNOWN_DIMENSIONS = _("Unknown dimensions: {keys}. Known: {known}.")
MSG_GUIDELINE_NOT_CHOSEN = _("Guidelines given for dimensions the campaign does not use: {keys}.")
MSG_BUDGET_REQUIRED = _("Pairing 'budget' needs a number of pairs per prompt (at least 1).")
MSG_ADAPTIVE_ABOVE_OVERLAP = _(
    "Adaptive overlap starts with this many votes, so it cannot exceed the overlap ({overlap}).")
MSG_QUALIFICATION_WITHOUT_GOLD = _("A qualification needs gold pairs: set a gold rate above 0 or set this to 0.")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_INSTRUCTIONS = 20_000
MAX_GUIDELINE = 20_000
# (low, high) per numeric setting; the model's validators and CHECKs agree with these.
RANGES = {
    "overlap": (1, 50), "lease_ttl_seconds": (30, 24 * 3600), "gold_rate": (0.0, 1.0),
    "qualification_gold_count": (0, 1000), "min_gold_accuracy": (0.0, 1.0), "min_gold_answers": (0, 1000),
    "adaptive_min_votes": (2, 50), "pair_budget_per_prompt": (1, 10_000), "edit_window_minutes": (0, 7 * 24 * 60),
}
CHOICES = {"protocol": CampaignProtocol.values, "status": CampaignStatus.values,
           "selection_policy": SelectionPolicy.values, "pairing": PairingStrategy.values}


class CampaignInvalid(ValidationFailed):
    """One or more campaign settings are invalid; `fields` maps each to its messages."""


@dataclass(frozen=True)
class CampaignSettings:
    """Every setting of a campaign, with the model's defaults. `guidelines` (dimension key -> text)
    rewrites those dimensions' guideline, which every campaign using the dimension shares."""

    name: str = ""
    slug: str = ""
    dimensions: tuple[str, ...] = ()
    guidelines: dict = field(default_factory=dict)
    protocol: str = CampaignProtocol.PAIRWISE
    status: str = CampaignStatus.DRAFT
    overlap: int = 3
    lease_ttl_seconds: int = 600
    gold_rate: float = 0.0
    qualification_gold_count: int = 0
    min_gold_accuracy: float = 0.6
    min_gold_answers: int = 5
    selection_policy: str = SelectionPolicy.RANDOM
    adaptive_overlap: bool = False
    adaptive_min_votes: int = 2
    pairing: str = PairingStrategy.ALL
    pair_budget_per_prompt: int | None = None
    edit_window_minutes: int = 60
    instructions: str = ""

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignSettings:
        names = {f.name for f in fields(cls)} - {"dimensions", "guidelines"}
        keys = tuple(campaign.dimensions.order_by("order", "key").values_list("key", flat=True))
        return cls(dimensions=keys, **{n: getattr(campaign, n) for n in names})

    def updated(self, changes: dict) -> CampaignSettings:
        known = {f.name for f in fields(self)}
        clean = {k: (tuple(v) if k == "dimensions" else v) for k, v in changes.items() if k in known}
        return replace(self, **clean)


def _check_text(errors: dict, name: str, value: str, limit: int, required: bool = False) -> None:
    if required and not value.strip():
        errors.setdefault(name, []).append(MSG_REQUIRED)
    elif len(value) > limit:
        errors.setdefault(name, []).append(MSG_TOO_LONG.format(limit=limit))


def campaign_settings_errors(settings: CampaignSettings, *, campaign_id: int | None = None) -> dict[str, list[str]]:
    """Every problem with `settings`, per field; empty when they can be stored."""
    s, errors = settings, {}
    _check_text(errors, "name", s.name, 120, required=True)
    _check_text(errors, "slug", s.slug, 120, required=True)
    if "slug" not in errors:
        if not _SLUG.fullmatch(s.slug):
            errors["slug"] = [MSG_SLUG]
        elif Campaign.objects.filter(slug=s.slug).exclude(pk=campaign_id).exists():
            errors["slug"] = [MSG_SLUG_TAKEN]
    _check_text(errors, "instructions", s.instructions, MAX_INSTRUCTIONS)
    for name, choices in CHOICES.items():
        if getattr(s, name) not in choices:
            errors[name] = [MSG_CHOICE.format(choices=", ".join(choices))]
    for name, (low, high) in RANGES.items():
        value = getattr(s, name)
        if value is not None and not low <= value <= high:
            errors[name] = [MSG_RANGE.format(low=low, high=high)]
    if s.pairing == PairingStrategy.BUDGET and s.pair_budget_per_prompt is None:
        errors.setdefault("pair_budget_per_prompt", []).append(MSG_BUDGET_REQUIRED)
    if s.adaptive_overlap and "overlap" not in errors and s.adaptive_min_votes > s.overlap:
        errors.setdefault("adaptive_min_votes", []).append(MSG_ADAPTIVE_ABOVE_OVERLAP.format(overlap=s.overlap))
    if s.qualification_gold_count and not s.gold_rate:
        errors.setdefault("qualification_gold_count", []).append(MSG_QUALIFICATION_WITHOUT_GOLD)
    known = list(Dimension.objects.order_by("order", "key").values_list("key", flat=True))
    unknown = sorted(set(s.dimensions) - set(known))
    if not s.dimensions:
        errors["dimensions"] = [MSG_NO_DIMENSIONS]
    elif unknown:
        errors["dimensions"] = [MSG_UNKNOWN_DIMENSIONS.format(keys=", ".join(unknown), known=", ".join(known))]
    stray = sorted(set(s.guidelines) - set(s.dimensions))
    if stray:
        errors.setdefault("guidelines", []).append(MSG_GUIDELINE_NOT_CHOSEN.format(keys=", ".join(stray)))
    if any(len(text) > MAX_GUIDELINE for text in s.guidelines.values()):
        errors.setdefault("guidelines", []).append(MSG_TOO_LONG.format(limit=MAX_GUIDELINE))
    return {name: [str(message) for message in messages] for name, messages in errors.items()}


def _validate(settings: CampaignSettings, *, campaign_id: int | None = None) -> None:
    errors = campaign_settings_errors(settings, campaign_id=campaign_id)
    if errors:
        raise CampaignInvalid(MSG_INVALID, extra={"fields": errors})


def _store(campaign: Campaign, settings: CampaignSettings) -> dict:
    """Write `settings` onto `campaign` (saved); returns the guideline changes made."""
    values = asdict(settings)
    keys, guidelines = values.pop("dimensions"), values.pop("guidelines")
    if settings.pairing == PairingStrategy.ALL:
        values["pair_budget_per_prompt"] = None
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.save()
    campaign.dimensions.set(Dimension.objects.filter(key__in=keys))
    changed = {}
    for dimension in Dimension.objects.filter(key__in=list(guidelines)):
        if dimension.guideline != guidelines[dimension.key]:
            dimension.guideline = guidelines[dimension.key]
            dimension.save(update_fields=["guideline"])
            changed[dimension.key] = True
    return changed


def campaign_create(*, settings: CampaignSettings) -> Campaign:
    """Create a campaign from `settings` (validated first; CampaignInvalid lists every problem)."""
    _validate(settings)
    with transaction.atomic():
        campaign = Campaign()
        guidelines = _store(campaign, settings)
        audit_record(action=AuditAction.CAMPAIGN_CREATE, target=campaign,
                     details={**_public(settings), "guidelines_changed": sorted(guidelines)})
    return campaign


def campaign_update(*, campaign_id: int, changes: dict) -> Campaign:
    """Apply `changes` (setting name -> value; others keep their value). A new overlap applies to
    the campaign's real pairs too, never below a pair's taken slots (CHECK taken <= overlap)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        before = CampaignSettings.of(campaign)
        after = before.updated(changes)
        _validate(after, campaign_id=campaign.pk)
        guidelines = _store(campaign, after)
        if after.overlap != before.overlap:
            Pair.objects.filter(campaign=campaign, is_gold=False).update(overlap=Greatest(after.overlap, F("taken")))
        old, new = _public(before), _public(after)
        diff = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
        if diff or guidelines:
            audit_record(action=AuditAction.CAMPAIGN_UPDATE, target=campaign,
                         details={"changed": diff, "guidelines_changed": sorted(guidelines)})
    return campaign


def campaign_archive(*, campaign_id: int) -> Campaign:
    """Close the campaign: nothing more is leased; its judgments stay for reports and exports.
    Editing its status back to active or paused restores it. Archiving twice changes nothing."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != CampaignStatus.CLOSED:
            previous = campaign.status
            campaign.status = CampaignStatus.CLOSED
            campaign.save(update_fields=["status"])
            audit_record(action=AuditAction.CAMPAIGN_ARCHIVE, target=campaign, details={"from": previous})
    return campaign


def _public(settings: CampaignSettings) -> dict:
    values = asdict(settings)
    values["dimensions"] = list(values["dimensions"])
    values.pop("guidelines")
    return values
