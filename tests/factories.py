"""Test data, written in our own words. `make_*` helpers build whole states through the real services."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from factsheets.models import Condition, FactSheet, FactSheetRevision, Rendition, Section, SectionKind
from reviews import access, services
from reviews.models import Committee

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff account whose password its owner chose (as after the reset link), so it may sign."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))
        with access.acting(via="test account set up by its owner", owner=True):
            self.save()


def make_user(username: str, *groups: str, **kwargs):
    return UserFactory(username=username, groups=list(groups), **kwargs)


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Example condition {n}")
    slug = factory.Sequence(lambda n: f"example-condition-{n}")


class FactSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactSheet

    slug = factory.Sequence(lambda n: f"examplumab-{n}")


class RevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactSheetRevision

    fact_sheet = factory.SubFactory(FactSheetFactory)
    number = factory.Sequence(lambda n: n + 1)
    generic_name = factory.LazyAttribute(lambda r: r.fact_sheet.slug.replace("-", " "))
    brand_names = "Examplex, Samplora"
    title = factory.LazyAttribute(lambda r: f"{r.generic_name.capitalize()} (Examplex)")
    summary = "A made-up medicine used only to test this system. It calms an overactive immune system."
    fast_facts = factory.LazyFunction(
        lambda: [
            "Take it once a week with food.",
            "Tell your doctor about any fever.",
            "Blood tests every three months.",
        ]
    )
    credit_line = "A. Writer, MD"
    change_note = "First version."


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    revision = factory.SubFactory(RevisionFactory)
    position = factory.Sequence(lambda n: n)
    kind = SectionKind.HOW_IT_WORKS
    heading = "How it works"
    body = "The medicine blocks a signal that causes **swelling** in the joints."


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("name",)

    name = "Committee on Patient Education"
    required_approvals = 2
    review_interval_months = 36


def make_draft(*, author, fact_sheet=None, number=1, sections=2, conditions=(), **fields) -> FactSheetRevision:
    """A draft written by `author`, with `sections` sections, used for `conditions`."""
    fact_sheet = fact_sheet or FactSheetFactory()
    revision = RevisionFactory.build(fact_sheet=fact_sheet, number=number, created_by=author, **fields)
    revision._history_user = author
    revision.save()
    revision.conditions.set(conditions)
    kinds = [SectionKind.HOW_IT_WORKS, SectionKind.DOSING, SectionKind.SIDE_EFFECTS, SectionKind.DISCUSS]
    for i in range(sections):
        section = SectionFactory.build(
            revision=revision,
            position=i,
            kind=kinds[i % len(kinds)],
            heading=SectionKind(kinds[i % len(kinds)]).label,
            body=f"Paragraph {i + 1} about this medicine, in plain words.\n\n- one point\n- another point",
        )
        section._history_user = author
        section.save()
    return revision


def make_published(
    *, author, reviewers, committee, fact_sheet=None, number=1, justification="Test content.", **fields
) -> FactSheetRevision:
    """A revision taken through submit and sign-off by `reviewers` until it is live.

    `justification` satisfies the reading-level gate whatever the test text scores."""
    revision = make_draft(author=author, fact_sheet=fact_sheet, number=number, **fields)
    review = services.revision_submit(revision=revision, by=author, committee=committee, justification=justification)
    for reviewer in reviewers[: committee.required_approvals]:
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    revision.refresh_from_db()
    return revision


def freeze_bulk_created(revisions) -> None:
    """What submission does, for submitted revisions made with bulk_create (which skips it): conditions as signed
    (from each revision's conditions), content hash and stored rendition. The benchmark builder's own step, so
    tests and benchmark data cannot drift apart."""
    from bench.build_db import _freeze
    from tests.record_guards import guards_lifted

    # The rows were bulk-created as submitted versions, which the database then refuses to rewrite.
    with guards_lifted():
        _freeze(list(revisions), Rendition)


SPANISH_TEXT = {
    "title": "Examplumab (Examplex)",
    "summary": "Un medicamento inventado para probar este sistema. Calma un sistema inmune muy activo.",
    "fast_facts": ["Tómelo una vez por semana con comida.", "Avise a su médico si tiene fiebre."],
    "sections": [
        ("how_it_works", "Cómo actúa", "El medicamento frena una señal que causa **hinchazón** en las articulaciones."),
        ("dosing", "Cómo se usa", "Se pone una inyección bajo la piel una vez por semana.\n\n- con comida\n- en casa"),
    ],
}


def make_translation(*, author, english, language="es", text=None) -> FactSheetRevision:
    """A draft translation of `english`'s sheet (its live English version), started through the service and
    written in Spanish (our own words)."""
    from factsheets.content.services import translation_start_draft

    text = text or SPANISH_TEXT
    draft = translation_start_draft(fact_sheet=english.fact_sheet, language=language, by=author)
    draft.title, draft.summary, draft.fast_facts = text["title"], text["summary"], list(text["fast_facts"])
    draft._history_user = author
    draft.save()
    sections = draft.ordered_sections()
    for section, (kind, heading, body) in zip(sections, text["sections"]):
        section.kind, section.heading, section.body = kind, heading, body
        section._history_user = author
        section.save()
    for section in sections[len(text["sections"]) :]:
        section.delete()
    return draft


def make_translation_committee(*members, name="Committee on Spanish Editions") -> Committee:
    committee = CommitteeFactory(name=name, required_approvals=2, reviews_translations=True)
    committee.members.add(*members)
    return committee


def make_published_translation(
    *, author, english, reviewers, committee, justification="Test content.", text=None
) -> FactSheetRevision:
    """A translation taken through submission and sign-off by a translation committee until it is live."""
    revision = make_translation(author=author, english=english, text=text)
    review = services.revision_submit(revision=revision, by=author, committee=committee, justification=justification)
    for reviewer in reviewers[: committee.required_approvals]:
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    revision.refresh_from_db()
    return revision
