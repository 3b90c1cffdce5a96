"""Write the live revision of every live fact sheet to OUTDIR, one file per sheet."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from factsheets.importing.export import markdown_round_trips, revision_detail_data, revision_markdown
from factsheets.models import FactSheet, Section


class Command(BaseCommand):
    help = (
        "Export the live version of each published fact sheet: Markdown with front matter (read back by "
        "import_factsheets) or JSON in the shape of the API detail."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", help="Folder to write <slug>.md or <slug>.json into (created if missing).")
        parser.add_argument("--format", choices=["markdown", "json"], default="markdown")

    def handle(self, *args, outdir, format, **options):
        out = Path(outdir)
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder.")
        out.mkdir(parents=True, exist_ok=True)
        sheets = (
            FactSheet.objects.live()
            .select_related("live_revision__rendition")
            .prefetch_related(
                "live_revision__conditions",
                Prefetch("live_revision__sections", queryset=Section.objects.order_by("position", "id")),
            )
            .order_by("slug")
        )
        count = 0
        for sheet in sheets:
            revision = sheet.live_revision
            revision.fact_sheet = sheet
            if format == "json":
                path = out / f"{sheet.slug}.json"
                text = json.dumps(revision_detail_data(revision), ensure_ascii=False, indent=2) + "\n"
            else:
                path = out / f"{sheet.slug}.md"
                text = revision_markdown(revision)
                if not markdown_round_trips(revision, text):
                    self.stderr.write(
                        f"warning: {path.name}: this version does not survive Markdown exactly (a “## ” heading "
                        "inside a section, Windows line breaks or spaces at the edges); "
                        "use --format json to keep it exactly."
                    )
            path.write_text(text, encoding="utf-8")
            count += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"{path}: {revision.title}, version {revision.number}")
        plural = "s" if count != 1 else ""
        self.stdout.write(self.style.SUCCESS(f"Exported {count} fact sheet{plural} to {out} ({format})."))
