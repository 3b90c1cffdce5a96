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

from factsheets.models import Condition, FactSheet, Section
from factsheets.content.services import revision_create_first_draft, revision_start_draft
from reviews import access, services
from reviews.models import Committee

User = get_user_model()

COMMITTEE_NAME = "Committee on Patient Education"
SAMPLE_NOTICE = "Sample content for trying out this system; not medical advice."
SAMPLE_FACT = "This is sample text for a demonstration. It is not medical advice."
CREDIT = "A. Morgan, MD (sample author)"

USERS = [
    # username, group, first name, last name, is_superuser
    ("author", "Authors", "Alex", "Morgan", False),
    ("reviewer1", "Reviewers", "Rita", "Okafor", False),
    ("reviewer2", "Reviewers", "Sam", "Lindqvist", False),
    ("editor", "Editors", "Eve", "Castillo", False),
    ("admin", None, "Site", "Administrator", True),
]

# Codes of the demo content, each checked against the public source named beside it; a code that could not
# be checked is left out (no RxNorm RXCUIs or ATC codes here: none could be checked offline against RxNav or
# the WHO ATC index).
CONDITION_CODES = {
    # ICD-10-CM categories M05 and M06 (tabular list, "Inflammatory polyarthropathies M05-M14", CDC/CMS
    # ICD-10-CM as shown on icd10data.com); SNOMED CT 69896004 |Rheumatoid arthritis (disorder)| (SNOMED
    # International editorial guide, "Rheumatoid arthritis").
    "rheumatoid-arthritis": {"icd10cm": ["M05", "M06"], "snomedct": ["69896004"]},
    # ICD-10-CM M10 Gout (tabular list; icd10data.com "2023 ICD-10-CM Diagnosis Code M10.9").
    "gout": {"icd10cm": ["M10"]},
}
SHEET_CODES = {
    # NDC 14445-170-01, allopurinol 100 mg tablets (openFDA NDC directory, api.fda.gov/drug/ndc.json).
    "allopurinol": {"ndc": ["14445-0170-01"]},
}

CONDITIONS = [
    ("Rheumatoid arthritis", "rheumatoid-arthritis"),
    ("Psoriatic arthritis", "psoriatic-arthritis"),
    ("Gout", "gout"),
    ("Lupus", "lupus"),
    ("Giant cell arteritis", "giant-cell-arteritis"),
]


def version(title, summary, facts, sections, change_note):
    return {
        "title": title,
        "summary": f"{summary} {SAMPLE_NOTICE}",
        "fast_facts": [*facts, SAMPLE_FACT],
        "credit_line": CREDIT,
        "change_note": change_note,
        "sections": sections,
    }


METHOTREXATE_V1 = version(
    "Methotrexate (sample sheet)",
    "Methotrexate is a weekly tablet or injection that calms an overactive immune system in arthritis.",
    [
        "You take it once a week, on the same day each week, never daily.",
        "It can take two to three months before you notice a difference.",
        "You will need regular blood tests while you take it.",
    ],
    [
        (
            "overview",
            "What it is",
            "Methotrexate is one of the oldest and most used medicines for inflammatory arthritis. "
            "In arthritis it is given in **small weekly doses**.",
        ),
        (
            "how_it_works",
            "How it works",
            "It slows down some of the immune cells that cause swelling and pain in the joints.",
        ),
        (
            "dosing",
            "How to take it",
            "- Take it once a week, on a day you will remember.\n- Your doctor may add a "
            "vitamin called folic acid to lower side effects.",
        ),
        (
            "side_effects",
            "Side effects",
            "Some people feel sick or tired for a day after the dose. Tell your doctor about "
            "mouth sores, a cough that does not go away, or fever.",
        ),
    ],
    "First version of this sample sheet.",
)

METHOTREXATE_V2 = version(
    "Methotrexate (sample sheet)",
    "Methotrexate is a weekly tablet or injection that calms an overactive immune system in arthritis.",
    [
        "You take it once a week, on the same day each week, never daily.",
        "It can take two to three months before you notice a difference.",
        "You will need regular blood tests while you take it.",
        "Keep alcohol to a minimum while you take it.",
    ],
    [
        (
            "overview",
            "What it is",
            "Methotrexate is one of the oldest and most used medicines for inflammatory arthritis. "
            "In arthritis it is given in **small weekly doses**.",
        ),
        (
            "how_it_works",
            "How it works",
            "It slows down some of the immune cells that cause swelling and pain in the joints.",
        ),
        (
            "dosing",
            "How to take it",
            "- Take it once a week, on a day you will remember.\n- Your doctor will usually add "
            "folic acid on another day of the week to lower side effects.",
        ),
        (
            "side_effects",
            "Side effects",
            "Some people feel sick or tired for a day after the dose. Tell your doctor about "
            "mouth sores, a cough that does not go away, or fever.",
        ),
        (
            "precautions",
            "Alcohol",
            "Both alcohol and this medicine are handled by the liver. Ask your doctor how much, if "
            "any, is safe for you.",
        ),
    ],
    "Added advice on alcohol and made the folic acid advice clearer.",
)

ALLOPURINOL_V1 = version(
    "Allopurinol (sample sheet)",
    "Allopurinol is a daily tablet that lowers uric acid to prevent gout attacks over time.",
    [
        "Take it every day, even when you have no pain.",
        "Attacks can happen more often in the first months; keep taking it.",
        "Drink plenty of water.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "Gout happens when uric acid forms crystals in a joint. Allopurinol lowers the "
            "amount of uric acid your body makes, so crystals slowly dissolve.",
        ),
        (
            "dosing",
            "How to take it",
            "Your doctor starts with a low dose and raises it step by step until a blood test "
            "shows your uric acid is low enough.",
        ),
        ("side_effects", "Side effects", "Stop taking it and call your doctor at once if you get a **skin rash**."),
    ],
    "First version of this sample sheet.",
)

TOCILIZUMAB_V1 = version(
    "Tocilizumab (sample sheet)",
    "Tocilizumab is an injection or drip that blocks a signal of inflammation called IL-6.",
    [
        "It is given as an injection under the skin or as a drip into a vein.",
        "You will have blood tests for cholesterol and liver health.",
        "Tell your doctor before any vaccine.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "Your body makes a messenger called IL-6 that switches on inflammation. This "
            "medicine blocks it, which lowers swelling and stiffness.",
        ),
        (
            "dosing",
            "How it is given",
            "Either you inject it under the skin every week or two, or a nurse gives it as a drip once a month.",
        ),
        (
            "side_effects",
            "Side effects",
            "Infections are the main risk. Call your doctor if you have a fever or feel unwell.",
        ),
    ],
    "First version of this sample sheet.",
)

# The version waiting for review, written plainly (about grade 8). It keeps a few clinical words a patient
# will hear from their care team, each explained in the text, so reviewers see the jargon hints at work.
TOCILIZUMAB_V2 = version(
    "Tocilizumab (sample sheet)",
    "Tocilizumab is a medicine for swollen joints and for swollen blood vessels in the head. It blocks a signal called IL-6.",
    [
        "You get it as a shot under the skin or as a drip into a vein.",
        "You will have blood tests for your liver, your cholesterol and your white blood cells.",
        "Do not have a live vaccine while you take it. Ask your doctor which vaccines are safe.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "Your body makes a messenger called IL-6. It tells the immune system to cause "
            "swelling. This medicine stops the message. Your joints should be less stiff and sore.",
        ),
        (
            "dosing",
            "How you take it",
            "Your nurse may call the shot a subcutaneous injection. That means it goes just "
            "under the skin. You give it once a week or every other week. The drip goes into a vein once every four weeks "
            "at a clinic.",
        ),
        (
            "side_effects",
            "Side effects",
            "The most common problem is a cold or other infection of the nose and throat. "
            "Your doctor calls any side effect an adverse event. Call your doctor if you have a fever, a bad cough or "
            "sudden belly pain.",
        ),
        (
            "precautions",
            "Before you start",
            "Tell your doctor if you have liver trouble. Doctors call this a hepatic "
            "problem. Tell them too if you have an infection now. You may need to wait until it clears.",
        ),
    ],
    "Rewritten in plainer words, with more on blood tests and side effects.",
)

HYDROXYCHLOROQUINE_V1 = version(
    "Hydroxychloroquine (sample sheet)",
    "Hydroxychloroquine is a daily tablet used in lupus and mild arthritis.",
    [
        "Take it with food to avoid an upset stomach.",
        "You need an eye check before you start and then once a year.",
    ],
    [
        (
            "how_it_works",
            "How it works",
            "It gently calms the immune system. It does not weaken your defences against infection much.",
        ),
        ("discuss", "Talk to your doctor about", "- Any change in your eyesight\n- Plans to become pregnant"),
    ],
    "First version of this sample sheet.",
)
# What the committee sent back on it: a general comment and comments on single fields.
HYDROXYCHLOROQUINE_V1["changes_requested"] = (
    "Good start. Two things before we can approve it.",
    {
        "summary": "Say that it can take two to three months to work.",
        "fast_facts": "Add how often the eye check happens once you are on it.",
    },
)

SHEETS = [
    # slug, generic name, brand names, conditions, versions (each with how many days ago it was written),
    # what happens to the last version (publish, submit, return: changes requested, or draft). In time order, so the chain of sign-offs runs forward in time too.
    ("allopurinol", "allopurinol", "Zyloprim", ["gout"], [(ALLOPURINOL_V1, 1180)], "publish"),  # now overdue
    (
        "methotrexate",
        "methotrexate",
        "Trexall, Otrexup",
        ["rheumatoid-arthritis", "psoriatic-arthritis"],
        [(METHOTREXATE_V1, 900), (METHOTREXATE_V2, 240)],
        "publish",
    ),
    (
        "tocilizumab",
        "tocilizumab",
        "Actemra",
        ["rheumatoid-arthritis", "giant-cell-arteritis"],
        [(TOCILIZUMAB_V1, 150), (TOCILIZUMAB_V2, 9)],
        "submit",
    ),
    (
        "hydroxychloroquine",
        "hydroxychloroquine",
        "Plaquenil",
        ["lupus", "rheumatoid-arthritis"],
        [(HYDROXYCHLOROQUINE_V1, 20)],
        "return",
    ),
]


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
                conditions = self.load_conditions()
            created = [
                slug
                for slug, *rest in SHEETS
                if self.load_sheet(
                    slug, *rest, users=users, committee=committee, conditions=conditions, password=password
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
            for section in revision.sections.all():
                section._history_user = author
                section.delete()
        for field in ("title", "summary", "fast_facts", "credit_line", "change_note"):
            setattr(revision, field, content[field])
        for field, codes in SHEET_CODES.get(sheet.slug, {}).items():
            setattr(revision, field, codes)
        revision._history_user = author
        revision.save()
        for position, (kind, heading, body) in enumerate(content["sections"], start=1):
            section = Section(revision=revision, position=position * 10, kind=kind, heading=heading, body=body)
            section._history_user = author
            section.save()
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

    def report(self, password, created):
        write = self.stdout.write
        if created:
            write(self.style.SUCCESS(f"Loaded sample fact sheets: {', '.join(created)}."))
        else:
            write("Sample fact sheets were already loaded; left them as they are.")
        write(f"Admin: {settings.SITE_URL}{reverse('admin:index')}")
        write("Demo logins (sample content, not medical advice):")
        for username, group, *_ in USERS:
            write(f"  {username:<10} password {password}   ({group or 'superuser'})")
