"""Django's admin autodiscovery imports this module; the registrations live in factsheets.authoring."""

from factsheets.authoring import admin, revision_admin  # noqa: F401
