"""Nothing fails silently: an email that could not be sent is logged and shown on the sheet's versions
page, and a reviewer locked out of signing sees what happened and when signing opens again."""

import logging
import smtplib

import pytest
from django.urls import reverse

from reviews import services

from reviews import errors

from reviews import signing
from reviews.models import Decision, NotificationFailure
from tests.factories import PASSWORD, make_draft


def sign_data(password):
    return {"verdict": "approve", "comment": "", "conflict": "none", "conflict_text": "", "password": password}


def test_an_email_that_cannot_be_sent_is_logged_and_shown_on_the_versions_page(
    client, author, editor, committee, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def mail_server_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("reviews.notifications.send_mass_mail", mail_server_down)
    draft = make_draft(author=author)
    with (
        caplog.at_level(logging.ERROR, logger="reviews.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        review = services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    assert review.pk  # the submission itself stands
    assert any("Could not send" in record.getMessage() for record in caplog.records)
    failure = NotificationFailure.objects.get(revision=draft)
    assert failure.subject.startswith("Please review:") and "SMTPServerDisconnected" in failure.error

    client.force_login(editor)
    page = client.get(reverse("reviews:sheet_versions", args=[draft.fact_sheet_id])).content.decode()
    assert "Notification not sent" in page and "Please review:" in page and "reviewer1@example.org" in page


def test_a_sent_email_leaves_no_notice(client, author, editor, committee, django_capture_on_commit_callbacks):
    draft = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    assert not NotificationFailure.objects.exists()
    client.force_login(editor)
    assert (
        "Notification not sent"
        not in client.get(reverse("reviews:sheet_versions", args=[draft.fact_sheet_id])).content.decode()
    )


@pytest.fixture
def review(author, committee):
    return services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="x"
    )


def test_the_signing_lockout_explains_itself_and_says_when_it_opens(client, review, reviewer1):
    url = reverse("reviews:review", args=[review.pk])
    client.force_login(reviewer1)
    for _ in range(signing.SIGN_PASSWORD_ATTEMPTS):
        assert "The password is not correct" in client.post(url, sign_data("guess")).content.decode()
    until = signing.signing_locked_until(reviewer1)
    assert until is not None

    locked = client.post(url, sign_data(PASSWORD))
    text = locked.content.decode()
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Nothing was signed" in text and f"{until:%H:%M} UTC" in text and "15 minutes" in text
    assert not Decision.objects.exists()

    page = client.get(url).content.decode()
    assert "signing is locked for your account until" in page and 'class="sign-form"' not in page


def test_signing_opens_again_when_the_lock_expires(client, review, reviewer1):
    from django.core.cache import cache

    for _ in range(signing.SIGN_PASSWORD_ATTEMPTS):
        with pytest.raises(errors.WrongPassword):
            services.review_sign(review=review, by=reviewer1, verdict="approve", password="guess")
    with pytest.raises(errors.SigningLocked):
        services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    # The cache drops both keys after SIGN_LOCKOUT_SECONDS; deleting them stands for that moment.
    cache.delete_many([f"sign-password-failures:{reviewer1.pk}", f"sign-password-first-failure:{reviewer1.pk}"])
    assert signing.signing_locked_until(reviewer1) is None
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    assert Decision.objects.filter(reviewer=reviewer1).count() == 1
