from django.core.management.base import BaseCommand

from reviews import services


class Command(BaseCommand):
    help = (
        "Publish approved revisions whose scheduled time (publish_at) has come. Safe to run every minute "
        "and twice at once: each revision is locked and re-checked before it is published."
    )

    def handle(self, *args, **options):
        published = services.publish_due()
        for revision in published:
            self.stdout.write(f"Published {revision.title} (version {revision.number}) [{revision.fact_sheet.slug}]")
        self.stdout.write(f"{len(published)} revision(s) published.")
