"""Staff workflow screens, inside the admin's look.

Each view requires a staff login and the role's permission, takes actions only by POST (CSRF-checked),
calls one function of `reviews.services` and translates the outcome: success -> a message and a
redirect; a refusal -> its message and a redirect; a forged action by someone not allowed -> 403.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import views as auth_views
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from factsheets.content import languages, selectors
from factsheets.content.diff import revision_diff
from factsheets.content.selectors import live_version
from factsheets.models import FactSheet, FactSheetRevision
from factsheets.public.pages import sheet_body
from factsheets.plain_language.aids import plain_language_context, reading_panel

from . import access, authenticator, comments, errors, services, signing
from .forms import CommitteeChoiceForm, SignForm, WithdrawSheetForm
from .models import AccessEvent, Committee, Decision, Review


def _requires(perm: str):
    """Staff login (else the admin login page), then `perm` (else 403)."""

    def decorator(view):
        @staff_member_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


def _render(request, template: str, title: str, context: dict, status: int = 200):
    return render(request, template, {**admin.site.each_context(request), "title": title, **context}, status=status)


def _refused(request, error: errors.WorkflowError, to: str):
    """A refusal: a forged action by someone not allowed is a 403; anything else a message and a redirect."""
    if isinstance(error, services.WorkflowPermissionDenied):
        raise PermissionDenied(error.message)
    messages.error(request, error.message)
    return redirect(to)


def _versions_url(revision_or_sheet) -> str:
    sheet_id = getattr(revision_or_sheet, "fact_sheet_id", None) or revision_or_sheet.pk
    return reverse("reviews:sheet_versions", args=[sheet_id])


# Submission ---------------------------------------------------------------------------------------


@_requires("factsheets.change_factsheetrevision")
@require_http_methods(["GET", "POST"])
def revision_submit_view(request, revision_id):
    revision = get_object_or_404(FactSheetRevision.objects.select_related("fact_sheet"), pk=revision_id)
    # A translation goes only to translation reviewers: offer only those.
    eligible = Committee.objects.filter(reviews_translations=True) if revision.is_translation else Committee.objects
    committees = list(eligible.order_by("name").prefetch_related("members"))
    form = CommitteeChoiceForm(
        request.POST or None, initial={"committee": committees[0] if len(committees) == 1 else None}
    )
    form.fields["committee"].queryset = eligible.order_by("name")
    if request.method == "POST":
        if not form.is_valid():
            if "reading_justification" in form.errors:
                messages.error(
                    request, "Keep the reading-level justification to 5000 characters or fewer. Nothing was submitted."
                )
            else:
                messages.error(request, "Choose the committee that should review this version.")
            return redirect("reviews:submit", revision.pk)
        try:
            review = services.revision_submit(
                revision=revision,
                by=request.user,
                committee=form.cleaned_data["committee"],
                justification=form.cleaned_data["reading_justification"],
            )
        except errors.WorkflowError as error:
            return _refused(request, error, reverse("reviews:submit", args=[revision.pk]))
        messages.success(
            request,
            f"{capfirst(revision.version_name)} was sent to the {review.committee} for review; its members were emailed.",
        )
        return redirect("reviews:review", review.pk)
    author_comments = comments.for_author(revision) if revision.is_editable else []
    return _render(
        request,
        "reviews/submit.html",
        f"Submit “{revision.title}” {revision.version_name} for review",
        {
            "revision": revision,
            "form": form,
            "committees": committees,
            "can_submit": revision.is_editable and bool(committees) and revision.fact_sheet.withdrawn_at is None,
            "versions_url": _versions_url(revision),
            "open_review": revision.reviews.filter(status=Review.Status.OPEN).first(),
            "author_comments": author_comments,
            "resolved_count": comments.resolved_count(author_comments),
            # Against the committee's own target when there is one committee, else the general target.
            "reading": reading_panel(
                revision,
                target=committees[0].max_reading_grade if len(committees) == 1 else None,
                language=revision.language,
            ),
        },
    )


@_requires("factsheets.change_factsheetrevision")
@require_POST
def revision_withdraw_submission_view(request, revision_id):
    revision = get_object_or_404(FactSheetRevision, pk=revision_id)
    try:
        services.revision_withdraw_submission(revision=revision, by=request.user)
    except errors.WorkflowError as error:
        return _refused(request, error, _versions_url(revision))
    messages.success(request, f"{capfirst(revision.version_name)} was withdrawn from review and is a draft again.")
    return redirect(_versions_url(revision))


# Review and sign-off ------------------------------------------------------------------------------


def _decisions_of_sheet(revision: FactSheetRevision):
    """Every review of this sheet up to the one shown, newest first, with its decisions."""
    return (
        Review.objects.filter(revision__fact_sheet_id=revision.fact_sheet_id)
        .select_related("committee", "revision", "submitted_by")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.order_by("signed_at", "id")))
        .order_by("-submitted_at")[:50]
    )


@_requires("reviews.view_review")
@require_http_methods(["GET", "POST"])
def review_detail_view(request, pk):
    review = get_object_or_404(
        Review.objects.select_related(
            "committee", "revision__fact_sheet__live_revision", "revision__translation_of", "submitted_by", "rendition"
        ),
        pk=pk,
    )
    revision = review.revision
    reaffirmation = review.kind == Review.Kind.REAFFIRMATION
    form = SignForm(request.POST or None, reaffirmation=reaffirmation, needs_code=review.needs_authenticator)
    refusal = signing.review_sign_refusal(review=review, by=request.user)

    if request.method == "POST":
        if form.is_valid():
            try:
                decision = services.review_sign(
                    review=review,
                    by=request.user,
                    verdict=form.cleaned_data["verdict"],
                    password=form.cleaned_data["password"],
                    code=form.cleaned_data.get("code", ""),
                    comment=form.cleaned_data["comment"],
                    conflict_of_interest=form.conflict_of_interest,
                    field_comments=comments.from_post(request.POST),
                )
            except errors.SigningLocked as error:
                return _signing_locked(request, review, error.until)
            except errors.WrongPassword as error:
                form.add_error(error.field, error.message)
            except services.InvalidInput as error:
                form.add_error(None, error.message)
            except errors.WorkflowError as error:
                return _refused(request, error, reverse("reviews:review", args=[review.pk]))
            else:
                messages.success(request, f"Signed: {decision.meaning}. {_outcome(review)}")
                return redirect("reviews:review", review.pk)
        elif refusal is not None and isinstance(refusal, services.WorkflowPermissionDenied):
            raise PermissionDenied(refusal.message)

    live = _current_version(revision)
    aids = plain_language_context(
        revision,
        target=review.committee.max_reading_grade,
        compare_with=live,
        justification=review.reading_justification,
        language=revision.language,
    )
    diffs = revision_diff(live, revision) if not reaffirmation else []
    notes = comments.from_post(request.POST) if request.method == "POST" else {}
    earlier = comments.of_earlier_reviews(review)
    return _render(
        request,
        "reviews/review.html",
        f"{review.get_kind_display()}: {revision.title}, {revision.version_name}",
        {
            "review": review,
            "revision": revision,
            # Exactly the stored rendition under review: the same bytes the public page will serve.
            "sheet_body": sheet_body(revision) if review.rendition is None else mark_safe(review.rendition.body_html),
            "disclaimer": settings.FACTSHEETS_DISCLAIMER,
            "reading": aids["reading"],
            "jargon": aids["jargon"],
            "live": live,
            "diff_rows": [{"diff": d, "note": notes.get(d.key, "")} for d in diffs],
            "earlier_comments": earlier,
            "resolved_count": comments.resolved_count(earlier),
            "comment_form": "sign-form" if refusal is None and not reaffirmation else "",
            "error_summary": _error_summary(form) if refusal is None else [],
            "edit_url": _edit_url(request.user, revision),
            "reviews": _decisions_of_sheet(revision),
            "form": form if refusal is None else None,
            "refusal": refusal.message if refusal is not None else "",
            "approvals": review.decisions.filter(verdict=Decision.Verdict.APPROVE).count(),
            "quorum": services.review_quorum(review),
            "members": _members_at_submission(review),
            "can_withdraw": services.may_withdraw_submission(review=review, by=request.user)
            and not review.decisions.exists(),
            "versions_url": _versions_url(revision),
            "translation": _translation_context(revision, live) if revision.is_translation else None,
        },
    )


def _current_version(revision: FactSheetRevision) -> FactSheetRevision | None:
    """The version `revision` would replace, in its own edition (a translation: the published translation),
    also while the sheet is withdrawn; None for a first version or for the current version itself."""
    sheet = revision.fact_sheet
    if revision.is_translation:
        current = (
            sheet.revisions.in_language(revision.language)
            .filter(status=FactSheetRevision.Status.PUBLISHED)
            .select_related("translation_of")
            .first()
        )
    else:
        current = sheet.live_revision
    return current if current is not None and current.pk != revision.pk else None


def _translation_context(revision: FactSheetRevision, live: FactSheetRevision | None) -> dict:
    """What a translation's reviewers need besides the text: the English version it translates and, when the
    live translation was made from an older English version, what changed in English since then."""
    source = revision.translation_of
    earlier = live.translation_of if live is not None and live.translation_of_id != source.pk else None
    english_diff = [d for d in revision_diff(earlier, source) if d.changed] if earlier is not None else []
    return {
        "source": source,
        "source_url": reverse("factsheets:preview", args=[source.pk]),
        "source_is_live": source.pk == revision.fact_sheet.live_revision_id,
        "earlier": earlier,
        "english_diff": english_diff,
    }


# Where each sign form error is shown, for the error summary's links.
_ERROR_TARGETS = {"verdict": "field-verdict", "conflict": "field-conflict"}


def _error_summary(form) -> list[dict]:
    """The sign form's errors, each linking to its field, for the top of the page (the form is at the bottom)."""
    if not form.is_bound:
        return []
    summary = []
    for name, field_errors in form.errors.items():
        if name == "__all__":
            target, label = "sign-form", ""
        else:
            target, label = _ERROR_TARGETS.get(name, form[name].id_for_label), f"{form[name].label}: "
        summary += [{"target": target, "message": f"{label}{message}"} for message in field_errors]
    return summary


def _edit_url(user, revision: FactSheetRevision) -> str:
    """The draft editor of `revision` for an author, while it can be edited; else empty."""
    if revision.is_editable and services.can_author(user):
        return reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])
    return ""


def _signing_locked(request, review: Review, until):
    """After too many wrong signing passwords: what happened, what was not done, and when signing opens."""
    response = _render(
        request,
        "reviews/signing_locked.html",
        "Signing is locked for a while",
        {
            "review": review,
            "revision": review.revision,
            "until": until,
            "attempts": signing.SIGN_PASSWORD_ATTEMPTS,
            "minutes": signing.SIGN_LOCKOUT_SECONDS // 60,
            "versions_url": _versions_url(review.revision),
        },
        status=429,
    )
    response["Retry-After"] = str(max(0, int((until - timezone.now()).total_seconds())))
    return response


def _outcome(review: Review) -> str:
    """What the signature led to, for every state the review, the revision and its sheet can be in."""
    review.refresh_from_db()
    revision = FactSheetRevision.objects.select_related("fact_sheet").get(pk=review.revision_id)
    withdrawn = revision.fact_sheet.withdrawn_at is not None
    if review.status == Review.Status.OPEN:
        if withdrawn:
            return (
                "The review stays open until enough members approve. The sheet was withdrawn by an editor "
                "meanwhile, so even when approved this version will not go live while it stays withdrawn."
            )
        return "The review stays open until enough members approve."
    if review.status == Review.Status.CHANGES_REQUESTED:
        return "The review is closed and the authors were told what to change."
    if review.kind == Review.Kind.REAFFIRMATION:
        due = f"{revision.next_review_due:%d %B %Y}" if revision.next_review_due else "not set"
        return f"The sheet is reaffirmed; next review due {due}."
    if revision.status == FactSheetRevision.Status.PUBLISHED:
        return "The quorum is reached and the new version is live."
    if withdrawn:
        return (
            "Your approval was recorded and the quorum is reached, so this version is approved. The sheet was "
            "withdrawn by an editor, so it stays withdrawn and this version does not go live; nothing is shown "
            "to patients."
        )
    if revision.publish_at is not None:
        return f"The quorum is reached; it goes live at {revision.publish_at:%Y-%m-%d %H:%M} UTC."
    return "The quorum is reached and this version is approved; it is waiting to be published."


def _members_at_submission(review: Review) -> list[str]:
    return sorted(services.printed_name(user) for user in signing.review_members(review))


@_requires("reviews.view_review")
def review_record_view(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("committee", "revision__fact_sheet", "submitted_by"), pk=pk
    )
    return _render(
        request,
        "reviews/record.html",
        f"Sign-off record: {review.revision.title}, {review.revision.version_name}",
        {
            "review": review,
            "revision": review.revision,
            "decisions": review.decisions.select_related("reviewer").order_by("sequence"),
            "members": _members_at_submission(review),
            "quorum": services.review_quorum(review),
            "snapshot": review.quorum is not None,
        },
    )


# Account ------------------------------------------------------------------------------------------


@staff_member_required
@require_http_methods(["GET", "POST"])
def account_view(request):
    """The signer's own account: whether they can sign, their authenticator, every change to their access."""
    user = request.user
    enrol_error = ""
    if request.method == "POST":
        if authenticator.confirm(user, request.POST.get("code", "")):
            messages.success(request, "Your authenticator app is enrolled; use its codes when you sign.")
            return redirect("reviews:account")
        enrol_error = "That code does not match the key shown. Check the phone's clock and type the newest code."
    set_by_other = access.password_set_by_someone_else(user)
    device = authenticator.pending_device(user)
    response = _render(
        request,
        "reviews/account.html",
        f"My account: {services.printed_name(user)}",
        {
            "signing_blocked": (
                f"Your password was last set by {access.describe_setter(set_by_other)}, not by you. You cannot sign "
                "until you change it yourself."
                if set_by_other
                else ""
            ),
            "has_authenticator": authenticator.has_device(user),
            "qr_svg": authenticator.qr_svg(device),
            "secret": authenticator.secret_for_typing(device),
            "enrol_error": enrol_error,
            "events": AccessEvent.objects.filter(user=user).select_related("actor").order_by("-at", "-id")[:200],
        },
        status=400 if enrol_error else 200,
    )
    add_never_cache_headers(response)
    return response


# Sheets -------------------------------------------------------------------------------------------


@_requires("factsheets.view_factsheet")
def sheet_versions_view(request, pk):
    sheet = get_object_or_404(FactSheet, pk=pk)
    revisions = sheet.revisions.order_by("-number").prefetch_related(
        Prefetch(
            "reviews",
            queryset=Review.objects.select_related("committee")
            .prefetch_related(Prefetch("decisions", queryset=Decision.objects.order_by("signed_at", "id")))
            .order_by("submitted_at"),
        ),
        "notification_failures",
    )[:200]
    return _render(
        request,
        "reviews/sheet_versions.html",
        f"Versions of {sheet}",
        {
            "sheet": sheet,
            "revisions": revisions,
            "can_withdraw": request.user.has_perm("factsheets.withdraw_factsheet")
            and sheet.live_revision_id
            and not sheet.withdrawn_at,
            "can_reaffirm": request.user.has_perm("reviews.start_reaffirmation")
            and sheet.live_revision_id
            and not sheet.withdrawn_at,
            "can_author": request.user.has_perm("factsheets.change_factsheetrevision"),
            "reaffirm_editions": _reaffirmable_translations(request.user, sheet),
        },
    )


def _reaffirmable_translations(user, sheet) -> list[dict]:
    """The translated editions an editor can ask to be reaffirmed: live ones that translate the live English
    version (one query)."""
    if not user.has_perm("reviews.start_reaffirmation"):
        return []
    return [
        {
            "url": f"{reverse('reviews:reaffirm', args=[sheet.pk])}?language={code}",
            "name": languages.Language(code).label,
        }
        for code in selectors.current_translations(sheet)
    ]


@_requires("factsheets.withdraw_factsheet")
@require_http_methods(["GET", "POST"])
def withdraw_sheet_view(request, pk):
    sheet = get_object_or_404(FactSheet.objects.select_related("live_revision"), pk=pk)
    form = WithdrawSheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.factsheet_withdraw(fact_sheet=sheet, by=request.user, reason=form.cleaned_data["reason"])
        except errors.WorkflowError as error:
            return _refused(request, error, reverse("reviews:withdraw_sheet", args=[sheet.pk]))
        messages.success(request, f"“{sheet}” was withdrawn; its public page now explains why.")
        return redirect("reviews:sheet_versions", sheet.pk)
    return _render(request, "reviews/withdraw_sheet.html", f"Withdraw “{sheet}”", {"sheet": sheet, "form": form})


@_requires("reviews.start_reaffirmation")
@require_http_methods(["GET", "POST"])
def reaffirm_view(request, pk):
    """Ask a committee to reaffirm the live version of one edition: English, or the one `?language=` names
    (then only committees marked as translation reviewers are offered)."""
    sheet = get_object_or_404(FactSheet.objects.select_related("live_revision"), pk=pk)
    language = request.GET.get("language", languages.SOURCE)
    if language not in languages.Language.values:
        raise BadRequest("No such language.")
    translation = languages.is_translation(language)
    here = reverse("reviews:reaffirm", args=[sheet.pk]) + (f"?language={language}" if translation else "")
    form = CommitteeChoiceForm(request.POST or None)
    if translation:
        form.fields["committee"].queryset = Committee.objects.filter(reviews_translations=True).order_by("name")
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Choose the committee that should reaffirm this sheet.")
            return redirect(here)
        try:
            review = services.review_start_reaffirmation(
                fact_sheet=sheet, by=request.user, committee=form.cleaned_data["committee"], language=language
            )
        except errors.WorkflowError as error:
            return _refused(request, error, here)
        edition = f"the {review.revision.get_language_display()} edition of " if translation else ""
        messages.success(
            request, f"The {review.committee} was asked to reaffirm {edition}“{sheet}”; its members were emailed."
        )
        return redirect("reviews:review", review.pk)
    live = live_version(sheet, language)
    name = languages.Language(language).label
    return _render(
        request,
        "reviews/reaffirm.html",
        f"Ask a committee to reaffirm the {name} edition of “{sheet}”"
        if translation
        else f"Ask a committee to reaffirm “{sheet}”",
        {"sheet": sheet, "form": form, "live": live, "action_url": here, "edition": name if translation else ""},
    )


class OwnerPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The reset link proves the owner is acting (it went to their address), so the password set here is
    their own and lets them sign again."""

    def form_valid(self, form):
        with access.acting(actor=self.user, via="password reset link", owner=True):
            return super().form_valid(form)
