"""Atom feed of publications: one entry per published version of every edition, newest first.

A version in Spanish is an entry of its own, in Spanish: `xml:lang` on the entry, its Spanish title (with the
chrome's "(versión N)"), and a link to its page under /es/ marked with `hreflang`. The feed itself (its title,
subtitle and address) is the site's, in English."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext

from factsheets.content import languages, selectors


class _LinksInLanguage:
    """The XML writer of one entry, marking its alternate link with the entry's language (Atom's `hreflang`);
    Django's Atom1Feed writes that link itself and has no hook for its attributes."""

    def __init__(self, handler, language: str):
        self._handler, self._language = handler, language

    def addQuickElement(self, name, contents=None, attrs=None):  # noqa: N802 (the XML generator's name)
        if name == "link" and (attrs or {}).get("rel") == "alternate":
            attrs = {**attrs, "hreflang": self._language}
        return self._handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self._handler, name)


class EditionsAtomFeed(Atom1Feed):
    """Atom whose entries each say their language (an item's `language`)."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(_LinksInLanguage(handler, item["language"]), item)


class PublicationsFeed(Feed):
    feed_type = EditionsAtomFeed
    link = "/"
    feed_url = "/feed/"
    language = languages.SOURCE

    def title(self):
        return f"{settings.FACTSHEETS_SITE_NAME}: new and updated fact sheets"

    def subtitle(self):
        return "Each entry is a version of a fact sheet approved by a review committee and published."

    def items(self):
        return selectors.published_feed_entries()

    def item_title(self, item):
        with translation.override(item.language):
            return f"{item.title} {gettext('(version %(number)s)') % {'number': item.number}}"

    def item_description(self, item):
        # Atom marks the summary type="html": readers render it as HTML, so author text is escaped first.
        return escape(item.change_note or item.summary)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.credit_line

    def item_extra_kwargs(self, item):
        return {"language": item.language}
