"""manage.py build_answers [SLUG ...]: build the stored public answers of every published sheet (or of the named
ones), so that each sheet's first reader after a deploy gets a stored answer (factsheets.public.answers); a full
run also deletes the answers other builds stored (run it once every server runs the new release)."""

from django.core.management.base import BaseCommand, CommandError

from factsheets.models import FactSheet
from factsheets.public import answers


class Command(BaseCommand):
    help = "Build the stored public answers (pages and API documents) of every published or withdrawn sheet."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these sheets (default: every published or withdrawn one).")

    def handle(self, *args, **options):
        slugs = options["slugs"]
        live = FactSheet.objects.filter(live_revision__isnull=False)
        if slugs:
            known = set(live.filter(slug__in=slugs).values_list("slug", flat=True))
            unknown = [slug for slug in slugs if slug not in known]
            if unknown:
                raise CommandError(f"No published sheet has the address {', '.join(unknown)}; nothing was built.")
        else:
            slugs = list(live.order_by("slug").values_list("slug", flat=True))
        kept = sum(answers.build_sheet(slug) for slug in slugs)
        dropped = 0 if options["slugs"] else answers.drop_other_builds()
        self.stdout.write(f"Stored {kept} answers for {len(slugs)} sheets; dropped {dropped} of other builds.")
