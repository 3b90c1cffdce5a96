"""The fact sheet changelist stays cheap: 50 rows a page, no full-table count, row checkboxes as markup."""

from factsheets.authoring.admin import FactSheetAdmin
from tests.factories import FactSheetFactory, make_published


def test_changelist_pages_by_50_without_a_full_count():
    assert FactSheetAdmin.list_per_page == 50
    assert FactSheetAdmin.show_full_result_count is False


def test_row_checkbox_is_the_admin_markup_and_escapes_the_title(admin_client, author, reviewer1, reviewer2, committee):
    sheet = make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="odd"),
        title='<b>"odd"</b>',
    ).fact_sheet
    html = admin_client.get("/admin/factsheets/factsheet/").content.decode()
    assert (
        f'<input type="checkbox" name="_selected_action" value="{sheet.pk}" class="action-select" '
        'aria-label="Select this object for an action - &lt;b&gt;&quot;odd&quot;&lt;/b&gt;">'
    ) in html
    assert '<b>"odd"</b>' not in html


def test_selected_rows_still_reach_the_action(admin_client, db):
    sheet = FactSheetFactory(slug="odd")
    response = admin_client.post(
        "/admin/factsheets/factsheet/",
        {
            "action": "start_new_draft",
            "_selected_action": [sheet.pk],
            "index": 0,
        },
    )
    assert response.status_code in (200, 302)
    assert "No action selected" not in response.content.decode()
    assert "Items must be selected" not in response.content.decode()
