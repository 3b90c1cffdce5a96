"""Write the live revision of every live fact sheet to OUTDIR, one file per sheet (`--language es`: the live
Spanish edition of every sheet that has one, as <slug>.es.md / <slug>.es.json)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from factsheets.content import languages, selectors
from factsheets.importing.export import markdown_round_trips, revision_detail_data, revision_markdown
from factsheets.models import FactSheet, FactSheetRevision, Section


class Command(BaseCommand):
    help = (
        "Export the live version of each published fact sheet: Markdown with front matter (read back by "
        "import_factsheets) or JSON in the shape of the API detail."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", help="Folder to write <slug>.md or <slug>.json into (created if missing).")
        parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
        parser.add_argument(
            "--language",
            choices=languages.Language.values,
            default=languages.SOURCE,
            help="The edition to export (default English). Each file states its language, and a translation the "
            "English version it translates.",
        )

    def handle(self, *args, outdir, format, language, **options):
        out = Path(outdir)
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder.")
        out.mkdir(parents=True, exist_ok=True)
        sections = Prefetch("sections", queryset=Section.objects.order_by("position", "id"))
        revisions = (
            FactSheetRevision.objects.live(language)
            .filter(fact_sheet__live_revision__isnull=False)
            .select_related("rendition", "translation_of")
            .prefetch_related("conditions", sections)
            .order_by("fact_sheet__slug")
        )
        sheets = selectors.with_live_translations(FactSheet.objects.select_related("live_revision"))
        revisions = revisions.prefetch_related(Prefetch("fact_sheet", queryset=sheets))
        suffix = "" if language == languages.SOURCE else f".{language}"
        count = 0
        for revision in revisions:
            sheet = revision.fact_sheet
            if format == "json":
                path = out / f"{sheet.slug}{suffix}.json"
                text = json.dumps(revision_detail_data(revision), ensure_ascii=False, indent=2) + "\n"
            else:
                path = out / f"{sheet.slug}{suffix}.md"
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
        edition = "" if language == languages.SOURCE else f", {languages.Language(language).label} edition"
        self.stdout.write(self.style.SUCCESS(f"Exported {count} fact sheet{plural} to {out} ({format}{edition})."))
