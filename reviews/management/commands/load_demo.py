"""`manage.py load_demo [--password PW]`: demo users, a committee and sample sheets in every state.

Idempotent: users, groups, the committee and conditions are looked up by name; a sample sheet whose
slug already exists is left as it is. Re-running sets the demo users' password again (a new random
one unless --password is given). Sheets reach their states through the real services (submit, then
signed by reviewer1 and reviewer2 with their password), so the record of sign-offs is genuine.

All sheet text below is invented for the demo, written in our own words, and marked as sample
content that is not medical advice.
"""

import datetime as dt
import itertools
import secrets
from contextlib import contextmanager
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from factsheets.models import Condition, FactSheet
from factsheets.content.services import (
    revision_create_first_draft,
    revision_start_draft,
    sections_add,
    translation_start_draft,
)
from reviews import access, services
from reviews.demo_content import (
    COMMITTEE_NAME,
    TRANSLATION_COMMITTEE_NAME,
    TRANSLATION_REVIEWERS,
    USERS,
    CONDITION_CODES,
    SHEET_CODES,
    CONDITIONS,
    SHEETS,
)
from reviews.models import Committee

User = get_user_model()


@contextmanager
def demo_clock(days_ago: int):
    """Inside, "now" is `days_ago` days back (a minute later at each reading), so the demo's versions, reviews
    and sign-offs carry dates spread over the past years instead of all being today."""
    start = timezone.now() - dt.timedelta(days=days_ago)
    ticks = itertools.count()
    with mock.patch("django.utils.timezone.now", lambda: start + dt.timedelta(minutes=next(ticks))):
        yield


class Command(BaseCommand):
    help = "Load demo users, a committee and sample fact sheets (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo login (default: a new random one).")

    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(12)
        # Demo content is created without emailing anybody.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            users = self.load_users(password)
            # The committee and conditions exist before the oldest sheet, as their history must show.
            with demo_clock(1 + max(days for *_, versions, _step in SHEETS for _content, days in versions)):
                committee = self.load_committee(users)
                translators = self.load_translation_committee(users)
                conditions = self.load_conditions()
            created = [
                slug
                for slug, *rest in SHEETS
                if self.load_sheet(
                    slug,
                    *rest,
                    users=users,
                    committee=committee,
                    translators=translators,
                    conditions=conditions,
                    password=password,
                )
            ]
        self.report(password, created)

    def load_users(self, password):
        users = {}
        for username, group, first_name, last_name, superuser in USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first_name, last_name
            user.email = f"{username}@example.org"
            user.is_staff = True
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            # Demo accounts belong to whoever runs the demo: their password counts as their owner's own.
            with access.acting(via="load_demo (demo account)", owner=True):
                user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            users[username] = user
        return users

    def load_committee(self, users):
        # Signing here needs the password only (no authenticator code); a committee can turn codes on in the admin.
        committee, _ = Committee.objects.get_or_create(
            name=COMMITTEE_NAME, defaults={"required_approvals": 2, "signing_needs_authenticator": False}
        )
        committee.members.add(users["reviewer1"], users["reviewer2"])
        return committee

    def load_translation_committee(self, users):
        committee, _ = Committee.objects.get_or_create(
            name=TRANSLATION_COMMITTEE_NAME,
            defaults={"required_approvals": 2, "signing_needs_authenticator": False, "reviews_translations": True},
        )
        committee.members.add(*(users[name] for name in TRANSLATION_REVIEWERS))
        return committee

    def load_conditions(self):
        conditions = {}
        for name, slug in CONDITIONS:
            conditions[slug], _ = Condition.objects.get_or_create(
                slug=slug, defaults={"name": name, **CONDITION_CODES.get(slug, {})}
            )
        return conditions

    def load_sheet(
        self,
        slug,
        generic_name,
        brand_names,
        condition_slugs,
        versions,
        last_step,
        *,
        users,
        committee,
        translators,
        conditions,
        password,
    ) -> bool:
        if FactSheet.objects.filter(slug=slug).exists():
            return False
        author = users["author"]
        sheet = FactSheet(slug=slug)
        sheet._history_user = author
        sheet.save()
        for index, (content, days_ago) in enumerate(versions):
            with demo_clock(days_ago):
                if content.get("language"):
                    self.load_translation(sheet, content, users=users, committee=translators, password=password)
                    continue
                self.load_version(
                    sheet,
                    index,
                    content,
                    last_step if index == len(versions) - 1 else "publish",
                    generic_name=generic_name,
                    brand_names=brand_names,
                    condition_slugs=condition_slugs,
                    users=users,
                    committee=committee,
                    conditions=conditions,
                    password=password,
                )
        return True

    def load_version(
        self,
        sheet,
        index,
        content,
        step,
        *,
        generic_name,
        brand_names,
        condition_slugs,
        users,
        committee,
        conditions,
        password,
    ):
        author = users["author"]
        if index == 0:
            revision = revision_create_first_draft(
                fact_sheet=sheet,
                by=author,
                generic_name=generic_name,
                brand_names=brand_names,
                conditions=[conditions[s] for s in condition_slugs],
                **{k: content[k] for k in ("title", "summary", "fast_facts", "credit_line")},
            )
        else:
            revision = revision_start_draft(fact_sheet=sheet, by=author)
        self.write_content(revision, content, author=author, codes=SHEET_CODES.get(sheet.slug, {}))
        if step == "draft":
            return
        review = services.revision_submit(
            revision=revision, by=author, committee=committee, justification=content.get("reading_justification", "")
        )
        if step == "publish":
            for reviewer in (users["reviewer1"], users["reviewer2"]):
                services.review_sign(review=review, by=reviewer, verdict="approve", password=password)
        elif step == "return":
            comment, field_comments = content["changes_requested"]
            services.review_sign(
                review=review,
                by=users["reviewer1"],
                verdict="request_changes",
                password=password,
                comment=comment,
                field_comments=field_comments,
            )

    def write_content(self, revision, content, *, author, codes=None):
        """Replace a new draft's text (copied from the version before it) with `content`, as `author`."""
        for section in revision.sections.all():
            section._history_user = author
            section.delete()
        for field in ("title", "summary", "fast_facts", "credit_line", "change_note", "generic_name"):
            if field in content:
                setattr(revision, field, content[field])
        for field, value in (codes or {}).items():
            setattr(revision, field, value)
        revision._history_user = author
        revision.save()
        sections_add(
            revision=revision,
            by=author,
            sections=[(position * 10, *section) for position, section in enumerate(content["sections"], start=1)],
        )

    def load_translation(self, sheet, content, *, users, committee, password):
        """The next version of the sheet's edition in `content["language"]`, of the English version live now,
        reviewed and signed by the translation committee until it is live."""
        author = users["author"]
        revision = translation_start_draft(fact_sheet=sheet, language=content["language"], by=author)
        self.write_content(revision, content, author=author)
        review = services.revision_submit(revision=revision, by=author, committee=committee)
        for name in TRANSLATION_REVIEWERS:
            services.review_sign(review=review, by=users[name], verdict="approve", password=password)

    def report(self, password, created):
        write = self.stdout.write
        if created:
            write(self.style.SUCCESS(f"Loaded sample fact sheets: {', '.join(created)}."))
        else:
            write("Sample fact sheets were already loaded; left them as they are.")
        write(f"Admin: {settings.SITE_URL}{reverse('admin:index')}")
        write("Demo logins (sample content, not medical advice):")
        width = max(len(username) for username, *_ in USERS)
        for username, group, *_ in USERS:
            write(f"  {username:<{width}} password {password}   ({group or 'superuser'})")
