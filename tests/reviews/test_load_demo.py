"""`manage.py load_demo`: demo users, committee and sample sheets, safe to run twice."""

import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from factsheets.models import Condition, FactSheet, FactSheetRevision, Section
from reviews.models import Committee, Decision, Review

User = get_user_model()
MODELS = [User, Committee, Condition, FactSheet, FactSheetRevision, Section, Review, Decision]


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_demo_twice_creates_no_duplicates(db):
    load("--password", "first-demo-pass")
    first = counts()
    output = load("--password", "second-demo-pass")
    assert counts() == first
    assert "second-demo-pass" in output
    assert User.objects.get(username="author").check_password("second-demo-pass")


def test_load_demo_publishes_sheets_through_the_committee(db):
    output = load("--password", "demo-pass-123")
    live = FactSheet.objects.live()
    assert set(live.values_list("slug", flat=True)) == {"methotrexate", "allopurinol", "tocilizumab"}
    methotrexate = live.get(slug="methotrexate")
    assert methotrexate.live_revision.number == 2
    assert FactSheetRevision.objects.published().filter(fact_sheet=methotrexate).count() == 2
    signers = set(
        Decision.objects.filter(review__revision=methotrexate.live_revision).values_list(
            "reviewer__username", flat=True
        )
    )
    assert signers == {"reviewer1", "reviewer2"}
    assert "http://127.0.0.1:8000/admin/" in output
    for username in ("author", "reviewer1", "reviewer2", "editor", "admin"):
        assert username in output


def test_load_demo_leaves_one_new_version_awaiting_both_reviewers(db):
    load("--password", "demo-pass-123")
    for username in ("reviewer1", "reviewer2"):
        awaiting = Review.objects.awaiting(User.objects.get(username=username))
        assert [r.revision.fact_sheet.slug for r in awaiting] == ["tocilizumab"]
    in_review = FactSheetRevision.objects.get(fact_sheet__slug="tocilizumab", number=2)
    assert in_review.status == FactSheetRevision.Status.IN_REVIEW
    text = " ".join(s.body for s in in_review.sections.all())
    assert "subcutaneous" in text.lower() and "hepatic" in text and "adverse event" in text


def test_load_demo_users_are_staff_in_their_groups(db):
    output = load()
    author = User.objects.get(username="author")
    assert author.is_staff and author.email == "author@example.org"
    assert list(author.groups.values_list("name", flat=True)) == ["Authors"]
    assert User.objects.get(username="admin").is_superuser
    committee = Committee.objects.get(name="Committee on Patient Education")
    assert set(committee.members.values_list("username", flat=True)) == {"reviewer1", "reviewer2"}
    assert not committee.signing_needs_authenticator  # the demo signs with the password alone
    password = re.search(r"^  author +password (\S+)", output, re.MULTILINE).group(1)
    assert author.check_password(password)


def test_every_sample_sheet_is_marked_as_not_medical_advice(db):
    load("--password", "demo-pass-123")
    for revision in FactSheetRevision.objects.all():
        marker = "no es consejo médico" if revision.language == "es" else "not medical advice"
        assert marker in revision.summary
        assert any(marker in fact.lower() for fact in revision.fast_facts)


def test_load_demo_has_a_translation_committee_with_its_own_reviewers(db):
    output = load("--password", "demo-pass-123")
    committee = Committee.objects.get(reviews_translations=True)
    assert set(committee.members.values_list("username", flat=True)) == {"revisora_es", "revisor_es"}
    assert "revisora_es" in output and "revisor_es" in output


def test_load_demo_has_one_current_and_one_stale_spanish_edition(db):
    from factsheets.content import selectors

    load("--password", "demo-pass-123")
    current = FactSheetRevision.objects.live("es").get(fact_sheet__slug="allopurinol")
    assert not selectors.is_stale(current) and current.translation_of == current.fact_sheet.live_revision
    stale = FactSheetRevision.objects.live("es").get(fact_sheet__slug="methotrexate")
    assert selectors.is_stale(stale)
    assert (stale.translation_of.number, stale.fact_sheet.live_revision.number) == (1, 2)
    assert list(selectors.stale_translations()) == [stale]
    signers = set(Decision.objects.filter(review__revision=stale).values_list("reviewer__username", flat=True))
    assert signers == {"revisora_es", "revisor_es"}
    # Written in Spanish, not left as the English copy the draft started from.
    assert "semana" in stale.summary and all(s.heading != "How it works" for s in stale.sections.all())
    assert (current.generic_name, stale.generic_name) == ("alopurinol", "metotrexato")  # Spanish names too


def test_demo_tells_a_story_over_time_and_the_version_in_review_reads_plainly(db):
    from django.utils import timezone

    from factsheets.plain_language import readability

    load("--password", "demo-pass-123")
    today = timezone.now().date()
    created = {r.created_at.date() for r in FactSheetRevision.objects.all()}
    assert len(created) >= 5 and min(created) < today.replace(year=today.year - 2)
    in_review = FactSheetRevision.objects.get(fact_sheet__slug="tocilizumab", number=2)
    assert readability.revision_report(in_review).grade <= 8.5
    overdue = FactSheetRevision.objects.live().filter(next_review_due__lt=today)
    assert list(overdue.values_list("fact_sheet__slug", flat=True)) == ["allopurinol"]
    out = StringIO()
    call_command("verify_record", stdout=out)
    assert " 0 problem(s)" in out.getvalue()  # backdated sign-offs still verify


def test_demo_has_a_version_sent_back_with_comments_on_fields(db):
    from reviews.models import ReviewComment

    load("--password", "demo-pass-123")
    returned = FactSheetRevision.objects.get(fact_sheet__slug="hydroxychloroquine")
    assert returned.status == FactSheetRevision.Status.CHANGES_REQUESTED
    assert set(ReviewComment.objects.filter(decision__review__revision=returned).values_list("field", flat=True)) == {
        "summary",
        "fast_facts",
    }
