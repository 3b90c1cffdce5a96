import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from factsheets.models import GlossaryTerm
from factsheets.plain_language.aids import plain_language_context
from factsheets.plain_language.glossary import highlight_revision, load_glossary
from tests.factories import SectionFactory, make_draft


@pytest.fixture
def spanish_terms(db):
    """Three Spanish terms of our own in place of the starter Spanish glossary: the tests below are about how
    the glossary works, not about what the starter list says."""
    GlossaryTerm.objects.filter(language="es").delete()
    return [
        GlossaryTerm.objects.create(language="es", term="subcutáneo", plain="bajo la piel"),
        GlossaryTerm.objects.create(language="es", term="renal", plain="del riñón"),
        GlossaryTerm.objects.create(language="es", term="efecto adverso", plain="efecto no deseado"),
    ]


def test_the_starter_glossary_has_english_and_spanish_terms(db):
    assert GlossaryTerm.objects.filter(term="subcutaneous").get().language == "en"
    spanish = GlossaryTerm.objects.filter(language="es")
    assert spanish.count() >= 30 and spanish.get(term="cefalea").plain == "dolor de cabeza"
    assert not GlossaryTerm.objects.filter(language="en", term="cefalea").exists()


def test_a_spanish_draft_is_checked_against_the_starter_spanish_glossary(author):
    revision = make_draft(author=author, sections=0, summary="Puede causar cefalea y prurito.", fast_facts=[])
    marked = highlight_revision(revision, language="es")
    assert {hit.term for hit in marked["hits"]} == {"cefalea", "prurito"}
    assert "dolor de cabeza" in marked["summary"] and "picazón" in marked["summary"]


def test_same_spelling_may_exist_once_per_language(spanish_terms):
    assert GlossaryTerm.objects.filter(term__iexact="renal").count() == 2
    duplicate = GlossaryTerm(language="es", term="RENAL", plain="de los riñones")
    with pytest.raises(ValidationError, match="already in the glossary in this language"):
        duplicate.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        GlossaryTerm.objects.create(language="es", term="Renal", plain="de los riñones")


def test_unknown_language_is_refused(db):
    with pytest.raises(ValidationError):
        GlossaryTerm(language="fr", term="rénal", plain="des reins").full_clean()
    with pytest.raises(ValueError, match="not 'fr'"):
        load_glossary("fr")


def test_each_language_loads_only_its_own_terms(spanish_terms, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        spanish = load_glossary("es")
    assert {e.term for e in spanish.entries.values()} == {"subcutáneo", "renal", "efecto adverso"}
    english = load_glossary()
    assert "subcutaneous" in {e.term for e in english.entries.values()}
    assert "subcutáneo" not in {e.term for e in english.entries.values()}
    assert english.entries["renal"].plain == "kidney"


def test_spanish_text_is_highlighted_with_spanish_terms_only(author, spanish_terms):
    revision = make_draft(
        author=author, sections=0, summary="Protege la función renal.", fast_facts=["Es una inyección subcutánea."]
    )
    section = SectionFactory(revision=revision, body="Cuéntenos cualquier **efecto adverso** (adverse event).")
    marked = highlight_revision(revision, language="es")
    assert "del riñón" in marked["summary"] and "kidney" not in marked["summary"]
    assert "efecto no deseado" in marked["sections"][section.pk]
    assert "side effect" not in marked["sections"][section.pk]  # the English term is not checked
    assert {hit.term for hit in marked["hits"]} == {"renal", "efecto adverso"}
    context = plain_language_context(revision, language="es")
    assert {hit.term for hit in context["jargon"]["hits"]} == {"renal", "efecto adverso"}
    assert context["reading"].overall.szigriszt_pazos is not None


def test_english_highlighting_ignores_spanish_terms(author, spanish_terms):
    revision = make_draft(author=author, sections=0, summary="Protects the renal system.", fast_facts=[])
    marked = highlight_revision(revision)
    assert "kidney" in marked["summary"] and "del riñón" not in marked["summary"]


def test_admin_adds_a_spanish_term_and_filters_by_language(client, editor, spanish_terms):
    client.force_login(editor)
    response = client.post(
        reverse("admin:factsheets_glossaryterm_add"),
        {"language": "es", "term": " intravenoso ", "plain": "por la vena", "note": ""},
    )
    assert response.status_code == 302
    assert GlossaryTerm.objects.get(term="intravenoso").language == "es"
    changelist = client.get(reverse("admin:factsheets_glossaryterm_changelist"), {"language__exact": "es"})
    page = changelist.content.decode()
    assert "intravenoso" in page and "subcutáneo" in page and "subcutaneous" not in page


def test_admin_refuses_a_duplicate_in_the_same_language_with_a_message(client, editor, spanish_terms):
    client.force_login(editor)
    count = GlossaryTerm.objects.count()
    response = client.post(
        reverse("admin:factsheets_glossaryterm_add"),
        {"language": "es", "term": "Subcutáneo", "plain": "debajo de la piel", "note": ""},
    )
    assert response.status_code == 200
    assert "already in the glossary in this language" in response.content.decode()
    assert GlossaryTerm.objects.count() == count
