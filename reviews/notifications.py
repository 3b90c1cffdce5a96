"""Emails about the workflow, through Django's email framework. Each links to the admin page to act on."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from factsheets.content.selectors import revision_authors
from factsheets.public import pages

logger = logging.getLogger(__name__)
User = get_user_model()


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _revision_admin_link(revision) -> str:
    """The revision's admin change page; the sheet's version list if the revision admin is not installed."""
    try:
        return _link("admin:factsheets_factsheetrevision_change", revision.pk)
    except NoReverseMatch:
        return _link("reviews:sheet_versions", revision.fact_sheet_id)


def _emails(users) -> list[str]:
    return sorted({u.email for u in users if u.email})


def _authors(revision):
    return User.objects.filter(pk__in=revision_authors(revision), is_active=True)


def _send(subject: str, body: str, recipients: list[str], *, revision) -> None:
    if not recipients:
        return
    try:
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients], fail_silently=False)
    except Exception as error:  # the transition is committed already; a mail outage must not turn it into an error page
        logger.exception("Could not send %r to %s", subject, recipients)
        _record_failure(revision, subject, recipients, error)


def _record_failure(revision, subject: str, recipients: list[str], error: Exception) -> None:
    from .models import NotificationFailure

    try:
        NotificationFailure.objects.create(
            revision_id=revision.pk,
            subject=" ".join(subject.split())[:300],
            recipients=", ".join(recipients),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
    except Exception:  # the database may be what failed; the log line above still says what was not sent
        logger.exception("Could not record the unsent notification %r", subject)


def review_opened(review) -> None:
    revision = review.revision
    what = "reaffirm" if review.kind == review.Kind.REAFFIRMATION else "review"
    _send(
        f"Please {what}: {revision.title} ({revision.version_name})",
        f"{revision.title}, {revision.version_name}, is waiting for the {review.committee}'s sign-off.\n\n"
        f"Open the review: {_link('reviews:review', review.pk)}\n",
        _emails(review.committee.members.filter(is_active=True)),
        revision=revision,
    )


def decision_recorded(decision) -> None:
    review = decision.review
    revision = review.revision
    comment = f"\nComment:\n{decision.comment}\n" if decision.comment else ""
    _send(
        f"{decision.meaning}: {revision.title} ({revision.version_name})",
        f"{decision.printed_name} signed {revision.version_name} of {revision.title}: {decision.meaning}.\n"
        f"{comment}\nOpen the review: {_link('reviews:review', review.pk)}\n"
        f"Edit the version: {_revision_admin_link(revision)}\n",
        _emails(_authors(revision)),
        revision=revision,
    )


def revision_published(revision) -> None:
    _send(
        f"Published: {revision.title} ({revision.version_name})",
        f"{capfirst(revision.version_name)} of {revision.title} is now live for patients.\n\n"
        f"Public page: {settings.SITE_URL}{pages.url_in(revision.language, 'factsheets:detail', revision.fact_sheet.slug)}\n"
        f"Admin: {_revision_admin_link(revision)}\n",
        _emails(_authors(revision)),
        revision=revision,
    )
