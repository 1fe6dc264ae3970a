import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotation.errors import ImportRejected
from annotation.models import Campaign
from annotation.services.imports import videos_import_manifest


class Command(BaseCommand):
    help = "Import prompts and videos from a JSONL/CSV manifest of local files; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path)
        parser.add_argument("--campaign", help="campaign slug: also create all pairs among each prompt's videos")
        parser.add_argument("--skip-duplicates", action="store_true", help="skip videos already imported")

    def handle(self, *args, manifest: Path, campaign, skip_duplicates, **options):
        if not manifest.is_file():
            raise CommandError(f"{manifest} does not exist")
        target = None
        if campaign:
            target = Campaign.objects.filter(slug=campaign).first()
            if target is None:
                raise CommandError(f"no campaign with slug {campaign!r}; create it first with `manage.py create_campaign` or on /studio/campaigns/")
        try:
            report = videos_import_manifest(
                text=manifest.read_text(encoding="utf-8"), manifest_name=manifest.name,
                base_dir=manifest.resolve().parent, campaign=target,
                on_duplicate="skip" if skip_duplicates else "error",
            )
        except ImportRejected as exc:
            for error in exc.extra.get("errors", []):
                self.stderr.write(f"  line {error['line']} [{error['field']}]: {error['message']}")
            raise CommandError(exc.detail) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{manifest} is not UTF-8 text") from exc
        self.stdout.write(self.style.SUCCESS(json.dumps(report.as_dict())))
