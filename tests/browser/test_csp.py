"""Under the production Content-Security-Policy, public pages and the admin (including its JavaScript:
prepopulated slugs, "add another" inlines, the workflow screens) run without a single CSP violation."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page) -> list[str]:
    """Collect CSP violations reported by the browser (console errors and securitypolicyviolation events)."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return violations


def test_public_pages_run_under_the_csp(live_server, page, author, reviewer1, reviewer2, committee):
    revision = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    violations = watch_csp(page)
    slug = revision.fact_sheet.slug
    for path in ["/", f"/factsheets/{slug}/", f"/factsheets/{slug}/versions/", "/search/?q=medicine"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert violations == []


def test_admin_works_under_the_csp(live_server, page, author, reviewer1, reviewer2, committee):
    revision = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))

    page.goto(f"{live_server.url}/admin/factsheets/factsheet/add/")
    page.fill("#id_generic_name", "cspumab")
    page.locator("#id_generic_name").blur()
    assert page.input_value("#id_slug") == "cspumab"  # admin JavaScript ran (prepopulated fields)

    for url in [
        reverse("admin:factsheets_factsheet_changelist"),
        reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk]),
        reverse("admin:factsheets_factsheetrevision_history", args=[revision.pk]),
        reverse("reviews:sheet_versions", args=[revision.fact_sheet_id]),
    ]:
        assert page.goto(live_server.url + url).status == 200, url
    assert violations == []


def test_the_csp_blocks_an_injected_inline_script(live_server, page):
    """Guards the tests above: an inline script is refused and the refusal is seen."""
    violations = watch_csp(page)
    page.goto(live_server.url + "/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in v or "inline" in v for v in violations), violations
