from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotation.services.demo import DEMO_PROMPTS, DEMO_USERS, demo_password, demo_seed
from annotation.signals import demo_seeded


class Command(BaseCommand):
    help = ("Create demo users, the demo campaign and generated demo clips (idempotent, no downloads); "
            "optionally let simulated annotators label it through the real lease/submit services.")

    def add_arguments(self, parser):
        parser.add_argument("--prompts", type=int, default=DEMO_PROMPTS, help="number of demo prompts (5 clips each)")
        parser.add_argument("--dataset-dir", type=Path, default=None, help="where to write the clips")
        parser.add_argument("--simulate", type=int, default=0, metavar="N",
                            help="N simulated annotators (users sim-1..N) label every pair they can")
        parser.add_argument("--noise", type=float, default=0.05, help="simulated annotators' noise (std, 0..1)")
        parser.add_argument("--max-submissions", type=int, default=None, help="stop simulating after this many")

    def handle(self, *args, prompts, dataset_dir, simulate, noise, max_submissions, **options):
        if simulate < 0 or not 0.0 <= noise <= 1.0:
            raise CommandError("--simulate must be >= 0 and --noise within 0..1")
        result = demo_seed(n_prompts=prompts, dataset_dir=dataset_dir)
        report = result.import_report
        self.stdout.write(self.style.SUCCESS(
            f"demo campaign {result.campaign.name!r}: {report.videos_created} new videos, "
            f"{report.duplicates_skipped} already present, {report.pairs_created} new pairs"
        ))
        # Apps above annotation add their part (training: the demo retrain policy) and say what they did.
        for _receiver, line in demo_seeded.send(sender=self.__class__, campaign=result.campaign):
            if line:
                self.stdout.write(f"  {line}")
        if simulate:
            from annotation.services.demo_simulation import demo_simulate_judgments

            stored = demo_simulate_judgments(campaign=result.campaign, dataset_dir=result.dataset_dir,
                                             annotators=simulate, noise=noise, max_submissions=max_submissions)
            self.stdout.write(f"  {simulate} simulated annotators stored {stored} submissions")
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username} / {demo_password(username)} ({role})")
