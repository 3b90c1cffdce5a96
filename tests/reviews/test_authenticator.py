"""Signing with an authenticator code, for committees that require one."""

import datetime as dt
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import authenticator, services

from reviews import errors
from reviews.models import AccessEvent, Decision
from tests.factories import PASSWORD, make_draft


def code_for(device, *, steps_ahead=0):
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user):
    device = authenticator.pending_device(user)
    assert authenticator.confirm(user, code_for(device))
    return TOTPDevice.objects.get(user=user, confirmed=True)


@pytest.fixture
def strict_review(author, committee):
    committee.signing_needs_authenticator = True
    committee.save()
    return services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="T."
    )


def test_review_keeps_the_committees_setting_at_submission(strict_review, committee):
    assert strict_review.needs_authenticator
    committee.signing_needs_authenticator = False
    committee.save()
    strict_review.refresh_from_db()
    assert strict_review.needs_authenticator


def test_member_without_an_authenticator_is_told_to_enrol(strict_review, reviewer1):
    with pytest.raises(services.WorkflowPermissionDenied, match="enrol an authenticator app"):
        services.review_sign(review=strict_review, by=reviewer1, verdict="approve", password=PASSWORD, code="123456")
    assert not Decision.objects.exists()


def test_enrolment_needs_a_code_from_the_new_app(reviewer1):
    device = authenticator.pending_device(reviewer1)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    assert not authenticator.confirm(reviewer1, wrong)
    assert not authenticator.has_device(reviewer1)
    # After a wrong code django-otp makes the device wait (1 s, then 2 s, ...) before it tries another.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        assert authenticator.confirm(reviewer1, code_for(device))
    assert authenticator.has_device(reviewer1)
    assert AccessEvent.objects.filter(user=reviewer1, kind=AccessEvent.Kind.AUTHENTICATOR_ENROLLED).exists()


def test_signing_with_the_current_code_records_the_second_factor(strict_review, reviewer1):
    device = enrol(reviewer1)
    decision = services.review_sign(
        review=strict_review, by=reviewer1, verdict="approve", password=PASSWORD, code=code_for(device, steps_ahead=1)
    )
    assert decision.second_factor


def test_wrong_code_signs_nothing(strict_review, reviewer1):
    device = enrol(reviewer1)
    wrong = f"{(int(code_for(device, steps_ahead=1)) + 1) % 1_000_000:06d}"
    with pytest.raises(errors.WrongCode):
        services.review_sign(review=strict_review, by=reviewer1, verdict="approve", password=PASSWORD, code=wrong)
    with pytest.raises(errors.WrongCode):
        services.review_sign(review=strict_review, by=reviewer1, verdict="approve", password=PASSWORD, code="")
    assert not Decision.objects.exists()


def test_a_code_works_once(strict_review, reviewer1, reviewer2, author, committee):
    device = enrol(reviewer1)
    code = code_for(device, steps_ahead=1)
    services.review_sign(review=strict_review, by=reviewer1, verdict="approve", password=PASSWORD, code=code)
    other = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="T."
    )
    with pytest.raises(errors.WrongCode):
        services.review_sign(review=other, by=reviewer1, verdict="approve", password=PASSWORD, code=code)


def test_committee_without_codes_signs_with_the_password_alone(author, committee, reviewer1):
    review = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="T."
    )
    assert not services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD).second_factor


def test_account_page_shows_a_local_qr_code(client, reviewer1):
    client.force_login(reviewer1)
    page = client.get(reverse("reviews:account")).content.decode()
    assert "<svg" in page and "Enrol an authenticator app" in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
