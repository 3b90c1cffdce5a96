"""End to end in Chromium: a member enrols an authenticator app, signs with its code; a wrong code signs
nothing."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import services
from reviews.models import Decision
from tests.browser.test_review_workflow import login
from tests.factories import PASSWORD, make_draft
from tests.reviews.test_authenticator import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_sign_form(page, live_server, review_pk, code):
    page.goto(live_server.url + reverse("reviews:review", args=[review_pk]))
    page.check("input[name=verdict][value=approve]")
    page.check("input[name=conflict][value=none]")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", code)
    page.click(".sign-form input[type=submit]")
    page.wait_for_load_state()


def enrol_in_browser(page, live_server, user):
    page.goto(live_server.url + reverse("reviews:account"))
    assert page.locator(".qr-code svg").count() == 1
    device = TOTPDevice.objects.get(user=user, confirmed=False)  # the app would read this from the QR code
    key = page.inner_text("#authenticator-key").replace(" ", "")
    assert key  # the same secret is shown for typing by hand
    page.fill("#id_enrol_code", code_for(device))
    page.click("button[value=enrol]")
    page.wait_for_url(re.compile(r".*/admin/workflow/account/$"))
    assert "Your authenticator app is enrolled" in page.content()
    return TOTPDevice.objects.get(user=user, confirmed=True)


def test_enrol_then_sign_with_a_code_and_a_wrong_code_is_refused(
    browser, live_server, author, reviewer1, reviewer2, committee
):
    committee.signing_needs_authenticator = True
    committee.save()
    review = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="T."
    )

    page = login(browser, live_server, reviewer1)
    device = enrol_in_browser(page, live_server, reviewer1)
    fill_sign_form(page, live_server, review.pk, code_for(device, steps_ahead=1))
    assert "Signed: Approved for publication to patients" in page.content()
    decision = Decision.objects.get(review=review)
    assert decision.reviewer == reviewer1 and decision.second_factor

    other = login(browser, live_server, reviewer2)
    device2 = enrol_in_browser(other, live_server, reviewer2)
    wrong = f"{(int(code_for(device2, steps_ahead=1)) + 1) % 1_000_000:06d}"
    fill_sign_form(other, live_server, review.pk, wrong)
    assert "The authenticator code is not correct" in other.content()
    assert Decision.objects.filter(review=review).count() == 1

    page.goto(live_server.url + reverse("reviews:record", args=[review.pk]))
    assert "Authenticator code" in page.content() and "No. 1" in page.content()
