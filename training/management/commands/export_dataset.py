"""`manage.py export_dataset --campaign SLUG [--test-fraction 0.2] [--sync]`

Freezes a dataset description and builds it: on the media queue by default, or in this process
with --sync (printing a progress line)."""
from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from annotation.models import Campaign
from studio_platform.errors import StudioError
from training.dataset_description import DEFAULT_SPLIT_SALT, DEFAULT_TEST_FRACTION
from training.exports import services
from training.models import DatasetStatus


class Command(BaseCommand):
    help = "Export judgments of one or more campaigns as a versioned Hugging Face dataset (Parquet + JSONL)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", action="append", required=True, metavar="SLUG",
                            help="campaign slug; repeat for several campaigns")
        parser.add_argument("--dimension", action="append", default=[], metavar="KEY",
                            help="dimension key; repeat; default: every dimension of the campaigns")
        parser.add_argument("--test-fraction", type=float, default=DEFAULT_TEST_FRACTION)
        parser.add_argument("--min-votes", type=int, default=1, help="minimum votes per pair and dimension")
        parser.add_argument("--min-agreement", type=float, default=0.0,
                            help="minimum share of votes on the plurality side, 0..1")
        parser.add_argument("--judged-before", help="ISO 8601 cut-off with time zone; default: now")
        parser.add_argument("--split-salt", default=DEFAULT_SPLIT_SALT)
        parser.add_argument("--name", default="")
        parser.add_argument("--sync", action="store_true", help="build here and now instead of on the media queue")

    def handle(self, *args, **opts):
        campaigns = list(Campaign.objects.filter(slug__in=opts["campaign"]))
        missing = sorted(set(opts["campaign"]) - {c.slug for c in campaigns})
        if missing:
            raise CommandError(f"no campaign with slug {', '.join(missing)}; list them in the admin")
        judged_before = None
        if opts["judged_before"]:
            judged_before = parse_datetime(opts["judged_before"])
            if judged_before is None:
                raise CommandError(f"--judged-before {opts['judged_before']!r} is not an ISO 8601 date-time")
        try:
            version = services.dataset_version_create(
                campaigns=campaigns, dimension_keys=opts["dimension"], min_votes_per_pair=opts["min_votes"],
                min_agreement=opts["min_agreement"], judged_before=judged_before,
                test_fraction=opts["test_fraction"], split_salt=opts["split_salt"], name=opts["name"],
                enqueue=not opts["sync"],
            )
        except StudioError as exc:
            raise CommandError(exc.detail) from exc
        if not opts["sync"]:
            self.stdout.write(f"dataset version {version.pk} queued on the media queue; "
                              f"follow it at /api/datasets/{version.pk}/")
            return
        version = services.dataset_version_build(version_id=version.pk, progress=self._progress_line())
        self.stdout.write("")
        if version.status != DatasetStatus.READY:
            raise CommandError(f"dataset version {version.pk} failed: {version.error}")
        self.stdout.write(self.style.SUCCESS(json.dumps({
            "id": version.pk, "status": version.status, "sha256": version.sha256,
            "folder": str(services.version_folder(version.pk)), "row_counts": version.row_counts,
        })))

    def _progress_line(self):
        started, last = time.monotonic(), [0.0]
        interactive = sys.stdout.isatty()

        def show(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] < (0.2 if interactive else 5.0) and done < total:
                return
            last[0] = now
            share = f"{100 * done / total:5.1f}%" if total else "  ---"
            line = f"rows {done:,}/{total:,} ({share}) {now - started:6.1f}s"
            self.stdout.write(("\r" + line) if interactive else line, ending="")
            if not interactive:
                self.stdout.write("")

        return show
