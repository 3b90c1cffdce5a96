from django.urls import reverse

from factsheets.models import GlossaryTerm


def test_editor_adds_a_glossary_term(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:factsheets_glossaryterm_add"),
        {"term": "  myocardial   infarction ", "plain": "heart attack", "note": ""},
    )
    assert response.status_code == 302
    term = GlossaryTerm.objects.get(term="myocardial infarction")
    assert term.plain == "heart attack"
    assert term.history.get().history_user == editor


def test_duplicate_term_in_other_case_is_refused_with_a_message(client, editor):
    client.force_login(editor)
    count = GlossaryTerm.objects.count()
    response = client.post(
        reverse("admin:factsheets_glossaryterm_add"), {"term": "RENAL", "plain": "kidneys", "note": ""}
    )
    assert response.status_code == 200
    assert "already in the glossary" in response.content.decode()
    assert GlossaryTerm.objects.count() == count


def test_author_can_read_but_not_change_the_glossary(client, author):
    client.force_login(author)
    assert client.get(reverse("admin:factsheets_glossaryterm_changelist")).status_code == 200
    assert client.get(reverse("admin:factsheets_glossaryterm_add")).status_code == 403
