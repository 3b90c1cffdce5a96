"""A signature belongs to one person: nobody but the owner sets a password, every change to an account is on
record, and a password someone else set cannot sign."""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from reviews import services
from reviews.models import AccessEvent, Decision
from tests.factories import PASSWORD, make_draft, make_user

User = get_user_model()
NEW_PASSWORD = "a-new-long-passphrase-9431"


@pytest.fixture
def review(author, committee):
    return services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="Test."
    )


@pytest.fixture
def superuser(db):
    return make_user("boss", is_superuser=True, first_name="Sam", last_name="Super")


def sign(review, reviewer, password=PASSWORD):
    return services.review_sign(review=review, by=reviewer, verdict="approve", password=password)


def user_admin_urls(target):
    """Every URL the user admin answers, filled in for `target`."""
    model_admin = admin.site._registry[User]
    urls = []
    for pattern in model_admin.get_urls():
        route = str(pattern.pattern)
        if "<path:object_id>" in route or "<id>" in route:
            route = route.replace("<path:object_id>", str(target.pk)).replace("<id>", str(target.pk))
        elif "<" in route:
            continue  # the catch-all redirect of unknown addresses
        urls.append("/admin/auth/user/" + route.lstrip("^").rstrip("$"))
    return urls


# Editors ------------------------------------------------------------------------------------------


def test_editor_cannot_set_password_or_email_through_any_user_admin_url(client, editor, reviewer2):
    client.force_login(editor)
    urls = user_admin_urls(reviewer2)
    assert any(u.endswith("/password/") for u in urls) and any(u.endswith("/change/") for u in urls)
    attack = {
        "username": reviewer2.username,
        "first_name": "Ravi",
        "last_name": "Second",
        "email": "editor@evil.example",
        "password": "x",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    for url in urls:
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code in (200, 302, 403), url
        assert 'name="password1"' not in html and 'name="password2"' not in html, url
        if page.status_code == 200 and url.endswith("/change/"):
            assert 'name="email"' not in html and "../password/" not in html, url
        client.post(url, attack)
    reviewer2.refresh_from_db()
    assert reviewer2.check_password(PASSWORD)
    assert reviewer2.email == "reviewer2@example.org"
    assert not AccessEvent.objects.filter(user=reviewer2, actor=editor).exists()


def test_editor_cannot_rename_another_account_whose_name_is_printed_on_signatures(client, editor, reviewer2):
    client.force_login(editor)
    before = (reviewer2.username, reviewer2.first_name, reviewer2.last_name)
    assert reviewer2.is_staff
    response = client.post(
        reverse("admin:auth_user_change", args=[reviewer2.pk]),
        {
            "username": "reviewer1",
            "first_name": "Someone",
            "last_name": "Else",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302  # the form was accepted: staff status is the editor's to change
    reviewer2.refresh_from_db()
    assert not reviewer2.is_staff
    assert (reviewer2.username, reviewer2.first_name, reviewer2.last_name) == before


def test_editor_still_names_their_own_account(client, editor):
    client.force_login(editor)
    client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        {
            "username": editor.username,
            "first_name": "Edith",
            "last_name": "Editor",
            "email": editor.email,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    editor.refresh_from_db()
    assert editor.first_name == "Edith"


def test_editor_gets_403_on_another_users_password_screen(client, editor, reviewer2):
    client.force_login(editor)
    url = reverse("admin:auth_user_password_change", args=[reviewer2.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 403
    reviewer2.refresh_from_db()
    assert reviewer2.check_password(PASSWORD)


def test_editors_own_password_screen_sends_them_to_the_change_form_that_asks_for_the_old_one(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:auth_user_password_change", args=[editor.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:password_change")


def test_editor_creates_an_account_without_password_email_or_role(client, editor):
    client.force_login(editor)
    form = client.get(reverse("admin:auth_user_add")).content.decode()
    assert 'name="password1"' not in form and 'name="email"' not in form and 'name="groups"' not in form
    client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "puppet",
            "first_name": "Pup",
            "last_name": "Pet",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "email": "editor@example.org",
            "groups": [Group.objects.get(name="Reviewers").pk],
        },
    )
    puppet = User.objects.get(username="puppet")
    assert not puppet.has_usable_password()
    assert puppet.email == "" and not puppet.groups.exists()


def test_editor_cannot_grant_roles(client, editor, author):
    client.force_login(editor)
    client.post(
        reverse("admin:auth_user_change", args=[author.pk]),
        {
            "username": author.username,
            "first_name": "Ada",
            "last_name": "Writer",
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="Reviewers").pk, Group.objects.get(name="Authors").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert list(author.groups.values_list("name", flat=True)) == ["Authors"]


# A password set by someone else cannot sign -------------------------------------------------------


def test_superuser_reset_leaves_the_account_unable_to_sign_until_the_owner_sets_their_own(
    client, superuser, reviewer2, reviewer1, review
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[reviewer2.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    event = AccessEvent.objects.filter(user=reviewer2, kind=AccessEvent.Kind.PASSWORD_SET).last()
    assert event.actor == superuser and not event.by_owner
    reviewer2.refresh_from_db()

    with pytest.raises(services.WorkflowPermissionDenied, match="last set by Sam Super"):
        sign(review, reviewer2, password=NEW_PASSWORD)
    assert not Decision.objects.exists()

    client.force_login(reviewer2)
    client.post(
        reverse("admin:password_change"),
        {
            "old_password": NEW_PASSWORD,
            "new_password1": "owner-chosen-phrase-5521",
            "new_password2": "owner-chosen-phrase-5521",
        },
    )
    assert AccessEvent.objects.filter(user=reviewer2, kind=AccessEvent.Kind.PASSWORD_SET).last().by_owner
    reviewer2.refresh_from_db()
    assert sign(review, reviewer2, password="owner-chosen-phrase-5521").reviewer == reviewer2


def test_changepassword_command_counts_as_someone_else(reviewer2, review, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", reviewer2.username, stdout=io.StringIO())
    event = AccessEvent.objects.filter(user=reviewer2, kind=AccessEvent.Kind.PASSWORD_SET).last()
    assert event.actor is None and not event.by_owner
    reviewer2.refresh_from_db()
    with pytest.raises(services.WorkflowPermissionDenied, match="a command or script"):
        sign(review, reviewer2, password=NEW_PASSWORD)


def test_password_given_at_creation_by_an_administrator_cannot_sign(client, superuser, committee, author, review):
    client.force_login(superuser)
    client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newreviewer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    newcomer = User.objects.get(username="newreviewer")
    event = AccessEvent.objects.get(user=newcomer, kind=AccessEvent.Kind.PASSWORD_SET)
    assert event.actor == superuser and not event.by_owner and event.detail == "at account creation"


def test_the_reset_link_lets_the_owner_set_their_own_password(client, superuser, reviewer2, review):
    client.force_login(superuser)
    client.post(
        reverse("admin:auth_user_password_change", args=[reviewer2.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    client.logout()
    client.post(reverse("admin_password_reset"), {"email": reviewer2.email})
    link = re.search(r"http://\S+/admin/reset/\S+/", mail.outbox[-1].body).group(0)
    form_url = client.get(link).url  # Django swaps the token for a session and redirects
    client.post(form_url, {"new_password1": "from-the-link-7788", "new_password2": "from-the-link-7788"})
    event = AccessEvent.objects.filter(user=reviewer2, kind=AccessEvent.Kind.PASSWORD_SET).last()
    assert event.by_owner and event.via == "password reset link"
    reviewer2.refresh_from_db()
    assert sign(review, reviewer2, password="from-the-link-7788").printed_name == "Ravi Second"


def test_email_change_by_an_administrator_is_recorded(client, superuser, reviewer2):
    client.force_login(superuser)
    client.post(
        reverse("admin:auth_user_change", args=[reviewer2.pk]),
        {
            "username": reviewer2.username,
            "first_name": "Ravi",
            "last_name": "Second",
            "email": "new@example.org",
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="Reviewers").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    event = AccessEvent.objects.get(user=reviewer2, kind=AccessEvent.Kind.EMAIL_SET, actor=superuser)
    assert event.detail == "reviewer2@example.org → new@example.org" and not event.by_owner


def test_account_page_shows_who_changed_the_account(client, superuser, reviewer2):
    client.force_login(superuser)
    client.post(
        reverse("admin:auth_user_password_change", args=[reviewer2.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    reviewer2.refresh_from_db()
    client.force_login(reviewer2)
    page = client.get(reverse("reviews:account")).content.decode()
    assert "You cannot sign until you change it yourself" in page
    assert "Password set" in page and "Sam Super" in page


def test_access_log_cannot_be_edited_in_the_admin(client, superuser, reviewer2):
    event = AccessEvent.objects.filter(user=reviewer2).first()
    client.force_login(superuser)
    assert client.get(reverse("admin:reviews_accessevent_changelist")).status_code == 200
    assert client.post(reverse("admin:reviews_accessevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()
