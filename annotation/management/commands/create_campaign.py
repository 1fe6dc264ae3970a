"""`manage.py create_campaign`: a campaign from flags, for scripts (the campaigns page does the same
in the browser). Prints the new campaign's id on stdout; bad settings exit non-zero naming each field.

    manage.py create_campaign --name "Spring I2V" --slug spring-i2v --dimensions smoothness,motion \
        --overlap 3 --gold-rate 0.1 --pairing budget --pair-budget 4 --status active
"""
from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from annotation.models import CampaignProtocol, CampaignStatus, Dimension, PairingStrategy, SelectionPolicy
from annotation.services.campaigns import CampaignInvalid, CampaignSettings, campaign_create


# Settings whose flag is not the field name with dashes.
FLAGS = {"lease_ttl_seconds": "--lease-ttl", "qualification_gold_count": "--qualification-gold",
         "pair_budget_per_prompt": "--pair-budget", "guidelines": "--guideline", "edit_window_minutes": "--edit-window"}


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not yes/no")


class Command(BaseCommand):
    help = "Create a campaign with all its settings; prints its id."

    def add_arguments(self, parser):
        d = CampaignSettings()
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="lowercase letters, digits and hyphens")
        parser.add_argument("--dimensions", default="",
                            help="comma-separated dimension keys (default: all of them)")
        parser.add_argument("--guideline", action="append", default=[], metavar="KEY=TEXT",
                            help="replace a dimension's guideline (shared by every campaign using it); repeatable")
        parser.add_argument("--protocol", choices=CampaignProtocol.values, default=d.protocol)
        parser.add_argument("--status", choices=CampaignStatus.values, default=d.status)
        parser.add_argument("--overlap", type=int, default=d.overlap, help="annotators per pair")
        parser.add_argument("--lease-ttl", type=int, default=d.lease_ttl_seconds, help="seconds")
        parser.add_argument("--gold-rate", type=float, default=d.gold_rate, help="0..1")
        parser.add_argument("--qualification-gold", type=int, default=d.qualification_gold_count,
                            help="gold pairs answered before any real pair")
        parser.add_argument("--min-gold-accuracy", type=float, default=d.min_gold_accuracy)
        parser.add_argument("--min-gold-answers", type=int, default=d.min_gold_answers)
        parser.add_argument("--selection-policy", choices=SelectionPolicy.values, default=d.selection_policy)
        parser.add_argument("--adaptive-overlap", type=_bool, default=d.adaptive_overlap, metavar="yes|no")
        parser.add_argument("--adaptive-min-votes", type=int, default=d.adaptive_min_votes)
        parser.add_argument("--pairing", choices=PairingStrategy.values, default=d.pairing)
        parser.add_argument("--pair-budget", type=int, default=None, help="pairs per prompt with --pairing budget")
        parser.add_argument("--edit-window", type=int, default=d.edit_window_minutes,
                            help="minutes an annotator may change a submitted answer (0: never)")
        parser.add_argument("--instructions", default="", help="text shown to annotators")

    def handle(self, *args, **o):
        keys = [k.strip() for k in o["dimensions"].split(",") if k.strip()]
        guidelines = {}
        for item in o["guideline"]:
            key, sep, text = item.partition("=")
            if not sep:
                raise CommandError(f"--guideline {item!r}: write it as KEY=TEXT")
            guidelines[key.strip()] = text
        settings = CampaignSettings(
            name=o["name"], slug=o["slug"],
            dimensions=tuple(keys or Dimension.objects.order_by("order", "key").values_list("key", flat=True)),
            guidelines=guidelines, protocol=o["protocol"], status=o["status"], overlap=o["overlap"],
            lease_ttl_seconds=o["lease_ttl"], gold_rate=o["gold_rate"], qualification_gold_count=o["qualification_gold"],
            min_gold_accuracy=o["min_gold_accuracy"], min_gold_answers=o["min_gold_answers"],
            selection_policy=o["selection_policy"], adaptive_overlap=o["adaptive_overlap"],
            adaptive_min_votes=o["adaptive_min_votes"], pairing=o["pairing"],
            pair_budget_per_prompt=o["pair_budget"], edit_window_minutes=o["edit_window"],
            instructions=o["instructions"],
        )
        try:
            campaign = campaign_create(settings=settings)
        except CampaignInvalid as exc:
            lines = [f"  {FLAGS.get(name, '--' + name.replace('_', '-'))}: {' '.join(messages)}"
                     for name, messages in exc.extra["fields"].items()]
            raise CommandError("the campaign was not created:\n" + "\n".join(lines)) from exc
        self.stdout.write(str(campaign.pk))
