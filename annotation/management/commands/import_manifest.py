import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotation.manifests import QUOTED, RowError, error_cause
from annotation.models import Campaign
from annotation.services.imports import MSG_ALREADY_IMPORTED, videos_import_manifest
from studio_platform.errors import ImportRejected

MSG_CLI_REJECTED = "{count} problem(s) in the manifest; nothing was imported. Fix the lines listed above and run again."
MSG_CLI_DUPLICATES_HINT = ("Hint: {count} video(s) are already in the studio; add --skip-duplicates to leave them out "
                           "(with --campaign they are still paired into that campaign).")


class Command(BaseCommand):
    help = "Import prompts and videos from a JSONL/CSV manifest of local files; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path)
        parser.add_argument("--campaign", help="campaign slug: also create all pairs among each prompt's videos")
        parser.add_argument("--skip-duplicates", action="store_true",
                            help="do not store videos already in the studio again; they are still paired into "
                                 "--campaign")

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
            if "errors" not in exc.extra:
                raise CommandError(exc.detail) from exc
            self._rejected(exc.extra["errors"], exc.extra["error_groups"])
        except UnicodeDecodeError as exc:
            raise CommandError(f"{manifest} is not UTF-8 text") from exc
        self.stdout.write(self.style.SUCCESS(json.dumps(report.as_dict())))

    def _rejected(self, errors: list[dict], groups: list[dict]):
        """One full message per cause, then only what differs per row: a wrong IMPORT_ROOTS fails every
        row alike and would otherwise repeat the list of folders on each line. Then what to do."""
        shown: dict[str, int] = {}  # cause -> the line whose whole message was printed
        for group in groups:
            field, cause = group["field"], group["cause"]
            rows = [e for e in errors if e["field"] == field
                    and error_cause(RowError(e["line"], field, e["message"])) == cause]
            if cause not in shown:
                first = rows[0]
                shown[cause] = first["line"]
                if len(rows) > 1 and all(e["message"] == first["message"] for e in rows):
                    self.stderr.write(f"  lines {_lines_text([e['line'] for e in rows])} [{field}]: {first['message']}")
                    continue
                self.stderr.write(f"  line {first['line']} [{field}]: {first['message']}")
                rows = rows[1:]
            for e in rows:
                quoted = " ".join(QUOTED.findall(e["message"])) or e["message"]
                self.stderr.write(f"  line {e['line']} [{field}]: {quoted} (same problem as line {shown[cause]})")
        duplicates = sum(e["message"] == MSG_ALREADY_IMPORTED for e in errors)
        if duplicates:
            self.stderr.write(MSG_CLI_DUPLICATES_HINT.format(count=duplicates))
        raise CommandError(MSG_CLI_REJECTED.format(count=len(errors)))


def _lines_text(lines: list[int], shown: int = 30) -> str:
    text = ", ".join(str(n) for n in lines[:shown])
    return f"{text} and {len(lines) - shown} more" if len(lines) > shown else text
