"""The access log: every change to who can sign (passwords, email addresses, roles, committee seats,
quorums, authenticators), and the rules that read it.

Changes are captured from the models' signals rather than from each screen, because a password or a group
can be changed from many places (admin forms, `changepassword`, the reset link, a shell); whatever path
was taken, the change is recorded. A screen that knows more (the password reset link proves the owner is
acting) says so with `acting(...)`; otherwise the actor is the logged-in user of the current request, or
nobody (a command or script).

A signature must be the signer's own: an account whose password was last set by anyone but its owner
cannot sign until the owner sets their own password.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .models import AccessEvent, Committee

User = get_user_model()
Kind = AccessEvent.Kind

# Roles whose grant while a review is open disqualifies the granter from signing it.
SIGNING_ROLES = ("Reviewers", "Authors")


@dataclass(frozen=True)
class Acting:
    actor: object | None
    via: str
    owner: bool = False


_acting: contextvars.ContextVar[Acting | None] = contextvars.ContextVar("access_acting", default=None)


@contextmanager
def acting(*, via: str, actor=None, owner: bool = False):
    """Changes made inside are recorded as made by `actor` through `via`; `owner=True` when the account's
    owner has proved it is them (old password, reset link)."""
    token = _acting.set(Acting(actor=actor, via=via, owner=owner))
    try:
        yield
    finally:
        _acting.reset(token)


def _current(user=None) -> tuple[object | None, str, bool]:
    """(actor, via, by_owner) for a change to `user`'s account (or to a committee, when `user` is None)."""
    explicit = _acting.get()
    if explicit is not None:
        actor = explicit.actor if explicit.actor is not None else (user if explicit.owner else None)
        return actor, explicit.via, explicit.owner or (user is not None and actor is not None and actor.pk == user.pk)
    request = getattr(HistoricalRecords.context, "request", None)
    request_user = getattr(request, "user", None)
    if request_user is not None and request_user.is_authenticated:
        by_owner = user is not None and request_user.pk == user.pk
        return request_user, f"{request.method} {request.path}"[:200], by_owner
    return None, "a command or script (no signed-in user)", False


def record(*, kind: str, user=None, committee=None, detail: str = "", at=None) -> AccessEvent:
    actor, via, by_owner = _current(user)
    return AccessEvent.objects.create(
        user=user,
        committee=committee,
        kind=kind,
        actor=actor,
        via=via,
        by_owner=by_owner,
        detail=detail[:500],
        at=at or timezone.now(),
    )


# Capture ------------------------------------------------------------------------------------------


def _user_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        instance._access_loading = True  # loaddata restores the record; the events come with it
        return
    stored = None
    if instance.pk:
        stored = User.objects.filter(pk=instance.pk).values("password", "email").first()
    instance._access_before = stored or {"password": "", "email": ""}


def _user_after_save(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_access_before", None)
    if raw or before is None:
        return
    del instance._access_before
    if instance.password != before["password"] and instance.password and is_password_usable(instance.password):
        record(kind=Kind.PASSWORD_SET, user=instance, detail="at account creation" if created else "")
    elif instance.password != before["password"] and before["password"] and is_password_usable(before["password"]):
        record(kind=Kind.PASSWORD_SET, user=instance, detail="password removed (unusable)")
    if instance.email != before["email"]:
        record(
            kind=Kind.EMAIL_SET, user=instance, detail=f"{before['email'] or '(none)'} → {instance.email or '(none)'}"
        )


def _restoring(instance) -> bool:
    """True while loaddata sets the relations of a restored row (Django sends no `raw` flag for those)."""
    return getattr(instance, "_access_loading", False)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove") or not pk_set or _restoring(instance):
        return
    kind = Kind.ROLE_GRANTED if action == "post_add" else Kind.ROLE_REMOVED
    if reverse:  # group.user_set.add(...)
        for user in User.objects.filter(pk__in=pk_set):
            record(kind=kind, user=user, detail=instance.name)
    else:
        for group in Group.objects.filter(pk__in=pk_set):
            record(kind=kind, user=instance, detail=group.name)


def _members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove") or not pk_set or _restoring(instance):
        return
    kind = Kind.MEMBER_ADDED if action == "post_add" else Kind.MEMBER_REMOVED
    pairs = (
        [(Committee.objects.get(pk=pk), instance) for pk in pk_set]
        if reverse
        else [(instance, user) for user in User.objects.filter(pk__in=pk_set)]
    )
    for committee, user in pairs:
        record(kind=kind, user=user, committee=committee, detail=committee.name)


def _committee_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        instance._access_loading = True
        return
    if not instance.pk:
        return
    stored = (
        Committee.objects.filter(pk=instance.pk).values("required_approvals", "signing_needs_authenticator").first()
    )
    if stored and stored["required_approvals"] != instance.required_approvals:
        record(
            kind=Kind.QUORUM_CHANGED,
            committee=instance,
            detail=f"{instance.name}: {stored['required_approvals']} → {instance.required_approvals} approvals",
        )
    if stored and stored["signing_needs_authenticator"] != instance.signing_needs_authenticator:
        state = "needs" if instance.signing_needs_authenticator else "no longer needs"
        record(
            kind=Kind.QUORUM_CHANGED,
            committee=instance,
            detail=f"{instance.name}: signing {state} an authenticator code",
        )


def connect() -> None:
    pre_save.connect(_user_before_save, sender=User, dispatch_uid="access-user-pre")
    post_save.connect(_user_after_save, sender=User, dispatch_uid="access-user-post")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="access-groups")
    m2m_changed.connect(_members_changed, sender=Committee.members.through, dispatch_uid="access-members")
    pre_save.connect(_committee_before_save, sender=Committee, dispatch_uid="access-committee")


# Rules --------------------------------------------------------------------------------------------


def password_set_by_someone_else(user, *, before=None) -> AccessEvent | None:
    """The latest password event of `user` (up to `before`) when it was not the owner's own, else None.
    An account with no recorded password event predates the log and is taken as the owner's."""
    events = AccessEvent.objects.filter(user=user, kind=Kind.PASSWORD_SET)
    if before is not None:
        events = events.filter(at__lte=before)
    latest = events.order_by("-at", "-id").select_related("actor").first()
    if latest is None or latest.by_owner:
        return None
    return latest


def describe_setter(event: AccessEvent) -> str:
    who = event.actor.get_full_name().strip() or event.actor.get_username() if event.actor_id else "a command or script"
    return f"{who} on {event.at:%Y-%m-%d %H:%M} UTC"


def changes_that_disqualify(user, *, committee, since) -> list[AccessEvent]:
    """What `user` did since `since` that bars them from signing a review of `committee` opened then:
    changed that committee's members or quorum, or granted anyone an author or reviewer role."""
    events = AccessEvent.objects.filter(actor=user, at__gte=since)
    committee_changes = events.filter(
        kind__in=[Kind.MEMBER_ADDED, Kind.MEMBER_REMOVED, Kind.QUORUM_CHANGED], committee=committee
    )
    role_grants = events.filter(kind=Kind.ROLE_GRANTED, detail__in=SIGNING_ROLES)
    return list((committee_changes | role_grants).order_by("at", "id"))
