"""Editors manage accounts without being able to raise anyone's powers past their own role."""

from django.contrib.auth.models import Group

from tests.factories import make_user


def test_editor_cannot_make_anyone_superuser_or_grant_single_permissions(client, editor, author):
    client.force_login(editor)
    url = f"/admin/auth/user/{author.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    response = client.post(
        url,
        {
            "username": author.username,
            "first_name": "Ada",
            "last_name": "Writer",
            "email": author.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="Authors").pk, Group.objects.get(name="Editors").pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    author.refresh_from_db()
    assert not author.is_superuser
    assert not author.groups.filter(name="Editors").exists()
    assert response.status_code in (200, 302)


def test_editor_cannot_edit_a_superuser(client, editor, db):
    admin_user = make_user("boss", is_superuser=True)
    client.force_login(editor)
    response = client.post(f"/admin/auth/user/{admin_user.pk}/change/", {"username": "taken-over"})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.username == "boss"


def test_editor_keeps_their_own_role_when_saving_their_account(client, editor):
    client.force_login(editor)
    client.post(
        f"/admin/auth/user/{editor.pk}/change/",
        {
            "username": editor.username,
            "first_name": "Eddie",
            "last_name": "Editor",
            "email": editor.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert editor.groups.filter(name="Editors").exists()


def test_superuser_can_make_an_editor(admin_client, author):
    editors = Group.objects.get(name="Editors")
    admin_client.post(
        f"/admin/auth/user/{author.pk}/change/",
        {
            "username": author.username,
            "first_name": "Ada",
            "last_name": "Writer",
            "email": author.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [editors.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert author.groups.filter(pk=editors.pk).exists()
