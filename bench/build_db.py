"""Fast builder of a benchmark data set: N fact sheets, each with 3 published versions of about 900 words
in 8 sections, plus some drafts, open reviews, never-published and withdrawn sheets.

Everything goes in with `bulk_create`, which bypasses the custom `save()` of revisions and sections and
the history records. So this module does by hand what those would do, once per distinct value:
`Section.body_html` comes from `factsheets.content.markdown.render_markdown` (bodies are drawn from a small pool,
each rendered once) and `FactSheetRevision.content_hash` is the SHA-256 of the same canonical JSON as
`FactSheetRevision.compute_content_hash()` (tests check they agree). Statuses, `live_revision`, review
records with their sign-offs and the dates follow what `reviews.services` would have produced.

Use it on a throwaway, migrated database only:

    from bench.build_db import build
    info = build(1000)          # -> dict: live slugs, search word, the author's login, timings

or `python -m bench.build_db 1000` (settings from DJANGO_SETTINGS_MODULE, default bench.settings).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import sys
import time

WORDS_PER_SECTION = 112  # 8 sections -> about 900 words per version
VERSIONS = 3
SECTION_VARIANTS = 12  # distinct bodies per section kind; each rendered to HTML once
SECTION_KINDS = [
    ("overview", "What this medicine is"),
    ("how_it_works", "How it works"),
    ("dosing", "How to take it"),
    ("time_to_effect", "How soon it works"),
    ("side_effects", "Side effects"),
    ("interactions", "Other medicines"),
    ("precautions", "Precautions"),
    ("storage", "Storing it"),
]
DRUG_CLASSES = [
    "interleukin",
    "kinase",
    "antimetabolite",
    "antimalarial",
    "biologic",
    "corticosteroid",
    "uricosuric",
    "bisphosphonate",
    "calcineurin",
    "integrin",
]
SEARCH_WORD = "interleukin"  # in the summary of about a tenth of the sheets
CONDITIONS = [
    "Rheumatoid arthritis",
    "Psoriatic arthritis",
    "Ankylosing spondylitis",
    "Gout",
    "Lupus",
    "Vasculitis",
    "Juvenile arthritis",
    "Osteoporosis",
    "Scleroderma",
    "Sjogren syndrome",
    "Myositis",
    "Sarcoidosis",
    "Still disease",
    "Behcet disease",
    "Uveitis",
    "Periodic fever syndromes",
    "Polymyalgia rheumatica",
    "Osteoarthritis",
    "Fibromyalgia",
    "Spondyloarthritis",
]
COMMITTEE_NAME = "Committee on Patient Education"
PREFIXES = [
    "ab",
    "bel",
    "cor",
    "dal",
    "ex",
    "fen",
    "gal",
    "hex",
    "il",
    "jor",
    "kel",
    "lom",
    "mar",
    "nor",
    "ob",
    "pel",
    "quin",
    "ros",
    "sel",
    "tor",
    "ul",
    "vel",
    "wex",
    "xan",
    "yor",
    "zel",
]
MIDDLES = [
    "a",
    "e",
    "i",
    "o",
    "u",
    "ara",
    "eli",
    "ino",
    "oma",
    "uta",
    "ela",
    "ima",
    "ova",
    "ira",
    "eta",
    "ola",
    "ani",
    "emi",
    "ori",
    "usi",
]
SUFFIXES = [
    "kinra",
    "cept",
    "mab",
    "zumab",
    "ximab",
    "tinib",
    "citinib",
    "lamide",
    "quine",
    "prazole",
    "trexate",
    "dronate",
    "limus",
    "nacept",
    "sulfan",
    "phylline",
    "tidine",
    "vastatin",
    "olol",
    "pril",
]
VOCABULARY = (
    "medicine dose doctor nurse week month day blood test joint swelling pain infection fever skin tablet "
    "injection pharmacist body immune system signal cell protein kidney liver stomach headache tired rest "
    "water food morning evening label pack fridge travel vaccine pregnancy plan question team clinic record "
    "change stop start slowly quickly usually rarely often sometimes most people some few may can should "
    "will help reduce calm protect check tell ask call keep take miss remember follow read share"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _section_body(rng: random.Random, kind_label: str) -> str:
    """About WORDS_PER_SECTION words of Markdown: two paragraphs, a bullet list, bold and a link."""
    first = " ".join(_sentence(rng, 11) for _ in range(4))
    bullets = "\n".join(f"- {_sentence(rng, 6)}" for _ in range(4))
    second = " ".join(_sentence(rng, 10) for _ in range(3))
    return (
        f"{first} **{kind_label} matters.**\n\n{bullets}\n\n{second} "
        f"[More about this](https://example.org/{kind_label.lower().replace(' ', '-')})."
    )


def _generic_name(i: int) -> str:
    p, m, s = len(PREFIXES), len(MIDDLES), len(SUFFIXES)
    name = PREFIXES[i % p] + MIDDLES[(i // p) % m] + SUFFIXES[(i // (p * m)) % s]
    cycle = i // (p * m * s)
    return f"{name}{cycle}" if cycle else name


def _freeze(revisions, Rendition) -> None:
    """What submission does for each non-draft revision: names as signed, content hash, stored rendition."""
    from factsheets.public.rendition import render

    renditions = []
    for rev in revisions:
        rev.conditions_as_signed = [{"slug": c.slug, "name": c.name} for c in rev.conditions.all()]
        rev.content_hash = rev.compute_content_hash()
        rendered = render(rev)
        renditions.append(
            Rendition(
                revision_id=rev.pk,
                body_html=rendered.body_html,
                document=rendered.document,
                reading_flesch_kincaid=rendered.reading["flesch_kincaid"],
                reading_smog=rendered.reading["smog"],
                rendition_hash=rendered.rendition_hash,
                rendered_at=rev.submitted_at,
            )
        )
    for rev, rendition in zip(revisions, Rendition.objects.bulk_create(renditions, batch_size=500), strict=True):
        rev.rendition = rendition
    if revisions:
        type(revisions[0]).objects.bulk_update(
            revisions, ["status", "conditions_as_signed", "content_hash", "rendition"], batch_size=500
        )


def _add_months(day: dt.date, months: int) -> dt.date:
    from reviews.services import add_months

    return add_months(day, months)


def _insert_sections(Section, rows):
    """The bulk of the data (8 sections per revision): COPY on PostgreSQL, bulk_create elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        columns = ("revision_id", "position", "kind", "heading", "body", "body_html")
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {Section._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        Section.objects.bulk_create(
            [
                Section(revision_id=r, position=p, kind=k, heading=h, body=b, body_html=html)
                for r, p, k, h, b, html in rows
            ],
            batch_size=2000,
        )


def build(
    n_sheets: int, *, seed: int = 8, chunk: int = 500, verbose: bool = False, author_password: str | None = None
) -> dict:
    """Fill the (empty, migrated) default database; returns what the benchmark needs to know."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from factsheets.content.markdown import render_markdown
    from factsheets.models import Condition, FactSheet, FactSheetRevision, Rendition, Section
    from reviews import chain
    from reviews.models import Committee, Decision, Review

    Status = FactSheetRevision.Status
    User = get_user_model()
    rng = random.Random(seed)
    started = time.perf_counter()
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if verbose else (lambda *a: None)

    if FactSheet.objects.exists():
        raise RuntimeError("bench.build_db.build() needs an empty database; it refuses to add to existing sheets.")
    from django.db import connection

    if connection.vendor == "sqlite" and not connection.in_atomic_block:  # throwaway file: no fsync per chunk
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")

    # Pools: every distinct body is rendered once.
    pool: dict[str, list[tuple[str, str]]] = {}
    for kind, label in SECTION_KINDS:
        bodies = [_section_body(rng, label) for _ in range(SECTION_VARIANTS)]
        pool[kind] = [(body, render_markdown(body)) for body in bodies]
    fact_pool = [_sentence(rng, 7) for _ in range(40)]

    author_password = author_password or secrets.token_urlsafe(18)
    with transaction.atomic():
        author = User(
            username="bench-author",
            first_name="Bea",
            last_name="Author",
            email="bench-author@example.org",
            is_staff=True,
        )
        author.set_password(author_password)
        author.save()
        author.groups.add(Group.objects.get(name="Authors"))
        reviewers = []
        for i, (first, last) in enumerate([("Rita", "Reader"), ("Ravi", "Reviewer"), ("Rosa", "Ruler")]):
            reviewer = User(username=f"bench-reviewer{i + 1}", first_name=first, last_name=last, is_staff=True)
            reviewer.set_unusable_password()
            reviewer.save()
            reviewer.groups.add(Group.objects.get(name="Reviewers"))
            reviewers.append(reviewer)
        committee = Committee.objects.create(name=COMMITTEE_NAME, required_approvals=2, review_interval_months=36)
        committee.members.add(*reviewers)
        conditions = Condition.objects.bulk_create(
            [Condition(name=name, slug=name.lower().replace(" ", "-")) for name in CONDITIONS]
        )

    now = timezone.now().replace(microsecond=0)
    # Version v of every sheet went live this long ago (v3 is the live one).
    ages = {1: dt.timedelta(days=6 * 365), 2: dt.timedelta(days=3 * 365), 3: dt.timedelta(days=60)}
    live_slugs: list[str] = []
    n_unpublished = n_withdrawn = n_drafts = n_open_reviews = 0
    Through = FactSheetRevision.conditions.through

    for start in range(0, n_sheets, chunk):
        stop = min(start + chunk, n_sheets)
        with transaction.atomic():
            sheets, plans, names = [], [], {}
            for i in range(start, stop):
                generic = _generic_name(i)
                brand = generic[:3].capitalize() + rng.choice(["rex", "vant", "lora", "quil", "mira"])
                sheets.append(FactSheet(slug=generic))
                names[generic] = (generic, f"{brand}, {brand} Pen")
                # Deterministic mix: 1 in 100 never published, 1 in 200 withdrawn, 1 in 10 with a draft
                # of version 4, 1 in 20 with version 4 in review (an open review).
                unpublished = i % 100 == 99
                withdrawn = not unpublished and i % 200 == 101
                plans.append(
                    {
                        "unpublished": unpublished,
                        "withdrawn": withdrawn,
                        "draft": not unpublished and i % 10 == 3,
                        "in_review": not unpublished and i % 20 == 7,
                    }
                )
            sheets = FactSheet.objects.bulk_create(sheets)
            sheet_conditions = {sheet.pk: rng.sample(conditions, rng.randint(1, 3)) for sheet in sheets}

            revisions, revision_sections = [], []
            for index, (sheet, plan) in enumerate(zip(sheets, plans, strict=True), start=start):
                drug_class = DRUG_CLASSES[index % len(DRUG_CLASSES)]
                generic, brand_names = names[sheet.slug]
                brand = brand_names.split(",")[0]
                title = f"{generic.capitalize()} ({brand})"
                numbers = (
                    [(1, Status.DRAFT)]
                    if plan["unpublished"]
                    else [(1, Status.SUPERSEDED), (2, Status.SUPERSEDED), (3, Status.PUBLISHED)]
                )
                if plan["draft"]:
                    numbers.append((len(numbers) + 1, Status.DRAFT))
                elif plan["in_review"]:
                    numbers.append((len(numbers) + 1, Status.IN_REVIEW))
                for number, status in numbers:
                    summary = (
                        f"{generic.capitalize()} is a made-up {drug_class} medicine used to test this site "
                        f"(version {number}). It calms an overactive immune system."
                    )
                    facts = [fact_pool[(index + number + k) % len(fact_pool)] for k in range(4)]
                    credit = "B. Author, MD" if number % 2 else "B. Author, MD, and C. Writer, PharmD"
                    sections = []
                    for position, (kind, label) in enumerate(SECTION_KINDS):
                        body, body_html = pool[kind][(index * 7 + number * 3 + position) % SECTION_VARIANTS]
                        sections.append((position, kind, label, body, body_html))
                    rev = FactSheetRevision(
                        fact_sheet=sheet,
                        number=number,
                        status=status,
                        title=title,
                        generic_name=generic,
                        brand_names=brand_names,
                        summary=summary,
                        fast_facts=facts,
                        credit_line=credit,
                        change_note=f"Version {number}: wording updated.",
                        created_by=author,
                    )
                    if status != Status.DRAFT:
                        live_at = now - ages.get(number, dt.timedelta(days=1))
                        rev.content_hash = "0" * 64  # placeholder until _freeze hashes the stored content
                        rev.submitted_at = live_at - dt.timedelta(days=14)
                    if status in (Status.PUBLISHED, Status.SUPERSEDED):
                        rev.approved_at = live_at - dt.timedelta(days=2)
                        rev.published_at = live_at
                        rev.updated_on = live_at.date()
                        rev.last_reviewed_on = rev.approved_at.date()
                        rev.next_review_due = _add_months(rev.last_reviewed_on, committee.review_interval_months)
                        rev.reviewed_by_name = committee.name
                    revisions.append(rev)
                    revision_sections.append(sections)
            # Inserted as drafts and frozen by one update (as submission does): the database refuses to
            # rewrite the content of a version that is already submitted.
            statuses = [rev.status for rev in revisions]
            for rev in revisions:
                rev.status = Status.DRAFT
            revisions = FactSheetRevision.objects.bulk_create(revisions, batch_size=1000)
            for rev, status in zip(revisions, statuses, strict=True):
                rev.status = status
            status_by_pk = {rev.pk: rev.status for rev in revisions}

            section_rows = (
                (rev.pk, p, k, h, b, html)
                for rev, sections in zip(revisions, revision_sections, strict=True)
                for p, k, h, b, html in sections
            )
            _insert_sections(Section, section_rows)
            Through.objects.bulk_create(
                [
                    Through(factsheetrevision_id=rev.pk, condition_id=c.pk)
                    for rev in revisions
                    for c in sheet_conditions[rev.fact_sheet_id]
                ]
            )
            frozen = list(
                FactSheetRevision.objects.filter(pk__in=[r.pk for r in revisions if r.status != Status.DRAFT])
                .prefetch_related("sections", "conditions")
                .order_by("pk")
            )
            for rev in frozen:
                rev.status = status_by_pk[rev.pk]
            _freeze(frozen, Rendition)
            by_pk = {rev.pk: rev for rev in frozen}
            revisions = [by_pk.get(rev.pk, rev) for rev in revisions]

            reviews, review_revisions = [], []
            for rev in revisions:
                if rev.status == Status.DRAFT:
                    continue
                is_open = rev.status == Status.IN_REVIEW
                reviews.append(
                    Review(
                        revision_id=rev.pk,
                        committee=committee,
                        kind=Review.Kind.REVISION,
                        status=Review.Status.OPEN if is_open else Review.Status.APPROVED,
                        submitted_by=author,
                        submitted_at=rev.submitted_at,
                        closed_at=None if is_open else rev.approved_at,
                        content_hash=rev.content_hash,
                        rendition_id=rev.rendition_id,
                    )
                )
                review_revisions.append(rev)
            reviews = Review.objects.bulk_create(reviews, batch_size=1000)
            decisions = []
            for review, rev in zip(reviews, review_revisions, strict=True):
                signers = reviewers[:1] if review.status == Review.Status.OPEN else reviewers[:2]
                for k, reviewer in enumerate(signers):
                    decisions.append(
                        Decision(
                            review_id=review.pk,
                            reviewer=reviewer,
                            verdict=Decision.Verdict.APPROVE,
                            signed_at=rev.submitted_at + dt.timedelta(days=3 + k),
                            content_hash=rev.content_hash,
                            rendition_hash=rev.rendition.rendition_hash,
                            printed_name=reviewer.get_full_name(),
                            meaning=Decision.MEANINGS[Decision.Verdict.APPROVE],
                        )
                    )
            head = Decision.objects.order_by("-sequence").values_list("sequence", "chain_hash").first()
            Decision.objects.bulk_create(chain.link(decisions, after=head), batch_size=2000)

            withdrawn_ids = []
            for sheet, plan in zip(sheets, plans, strict=True):
                n_unpublished += plan["unpublished"]
                n_drafts += plan["draft"]
                n_open_reviews += plan["in_review"] and not plan["draft"]
                if plan["withdrawn"]:
                    withdrawn_ids.append(sheet.pk)
                    n_withdrawn += 1
                elif not plan["unpublished"]:
                    live_slugs.append(sheet.slug)
            if withdrawn_ids:
                FactSheet.objects.filter(pk__in=withdrawn_ids).update(
                    withdrawn_at=now - dt.timedelta(days=5),
                    withdrawal_reason="Taken off the market by its maker (benchmark data).",
                )
        log(f"  {stop}/{n_sheets} sheets ({time.perf_counter() - started:.1f} s)")

    FactSheet.objects.update(
        live_revision=Subquery(
            FactSheetRevision.objects.filter(fact_sheet=OuterRef("pk"), status=Status.PUBLISHED).values("pk")[:1]
        )
    )
    from factsheets.public.search import refresh_search_index

    refresh_search_index()  # what publishing does for each sheet (bulk inserts bypass the services)
    # Statistics for the planner, as after any bulk load: without them (autovacuum may be off, or not yet round)
    # PostgreSQL planned the feed at 10,000 sheets as 13 sheets and took 5 s over it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    return {
        "sheets": n_sheets,
        "live_slugs": live_slugs,
        "unpublished": n_unpublished,
        "withdrawn": n_withdrawn,
        "drafts": n_drafts,
        "open_reviews": n_open_reviews,
        "revisions": FactSheetRevision.objects.count(),
        "sections": Section.objects.count(),
        "search_word": SEARCH_WORD,
        "condition_slug": conditions[0].slug,
        "author_username": author.username,
        "author_password": author_password,
        "build_seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    import os

    import django

    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else int(os.environ.get("BENCH_SHEETS", "1000"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    info = build(n, verbose=True)
    info.pop("live_slugs")
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
