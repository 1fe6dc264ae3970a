from pathlib import Path

from django.core.management.base import BaseCommand

from annotation.services.demo import DEMO_USERS, demo_password, demo_seed


class Command(BaseCommand):
    help = "Create demo users, the demo campaign and generated demo clips (idempotent, no downloads)."

    def add_arguments(self, parser):
        parser.add_argument("--prompts", type=int, default=8, help="number of demo prompts (5 clips each)")
        parser.add_argument("--dataset-dir", type=Path, default=None, help="where to write the clips")

    def handle(self, *args, prompts, dataset_dir, **options):
        result = demo_seed(n_prompts=prompts, dataset_dir=dataset_dir)
        report = result.import_report
        self.stdout.write(self.style.SUCCESS(
            f"demo campaign {result.campaign.name!r}: {report.videos_created} new videos, "
            f"{report.duplicates_skipped} already present, {report.pairs_created} new pairs"
        ))
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username} / {demo_password(username)} ({role})")
