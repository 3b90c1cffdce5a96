"""History rows are read-only in the admin: the history pages show them, but nothing can be reverted through them
(SIMPLE_HISTORY_REVERT_DISABLED only hides simple-history's button; its form view still saved a POST)."""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from factsheets.models import Condition, FactSheet
from tests.factories import make_draft, make_user

HISTORY_ADMINS = [
    model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, SimpleHistoryAdmin)
]


def history_form_url(obj, history_id):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, history_id])


def test_every_history_admin_is_read_only():
    from factsheets.authoring.history import ReadOnlyHistoryMixin

    assert HISTORY_ADMINS, "no SimpleHistoryAdmin registered"
    for model in HISTORY_ADMINS:
        assert isinstance(admin.site._registry[model], ReadOnlyHistoryMixin), model


@pytest.mark.django_db
def test_posting_to_a_sheet_history_form_reverts_nothing(client, author):
    sheet = make_draft(author=author).fact_sheet
    first = sheet.history.earliest()
    sheet.slug = "renamed-sheet"
    sheet.save()
    client.force_login(author)
    url = history_form_url(sheet, first.history_id)
    assert client.get(url).status_code == 200  # history is readable
    response = client.post(url, {"slug": first.slug})
    assert response.status_code == 403
    sheet.refresh_from_db()
    assert sheet.slug == "renamed-sheet"


@pytest.mark.django_db
def test_posting_to_a_condition_history_form_reverts_nothing(client, editor):
    condition = Condition.objects.create(name="Gout", slug="gout")
    first = condition.history.earliest()
    condition.name = "Gout (crystal arthritis)"
    condition.save()
    client.force_login(editor)
    response = client.post(history_form_url(condition, first.history_id), {"name": "Gout", "slug": "gout"})
    assert response.status_code == 403
    condition.refresh_from_db()
    assert condition.name == "Gout (crystal arthritis)"


@pytest.mark.django_db
def test_superuser_cannot_revert_either(client):
    root = make_user("root", is_superuser=True)
    condition = Condition.objects.create(name="Lupus", slug="lupus")
    first = condition.history.earliest()
    Condition.objects.filter(pk=condition.pk).update(name="SLE")
    client.force_login(root)
    response = client.post(history_form_url(condition, first.history_id), {"name": "Lupus", "slug": "lupus"})
    assert response.status_code == 403
    assert Condition.objects.get(pk=condition.pk).name == "SLE"
    assert FactSheet.objects.count() == 0
