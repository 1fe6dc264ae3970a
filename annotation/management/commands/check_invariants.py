from django.core.management.base import BaseCommand, CommandError

from annotation.selectors.invariants import annotation_invariant_violations


class Command(BaseCommand):
    help = "Check the annotation invariants (overlap, counters, duplicates, orphan leases); exit 1 on violations."

    def handle(self, *args, **options):
        report = annotation_invariant_violations()
        if report:
            for name, rows in report.items():
                self.stderr.write(f"{name}: {len(rows)} violation(s), e.g. {rows[:5]}")
            raise CommandError("annotation invariants violated")
        self.stdout.write(self.style.SUCCESS("all annotation invariants hold"))
