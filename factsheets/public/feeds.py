"""Atom feed of publications: one entry per published version, newest first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from factsheets.content import selectors


class PublicationsFeed(Feed):
    feed_type = Atom1Feed
    link = "/"
    feed_url = "/feed/"

    def title(self):
        return f"{settings.FACTSHEETS_SITE_NAME}: new and updated fact sheets"

    def subtitle(self):
        return "Each entry is a version of a fact sheet approved by a review committee and published."

    def items(self):
        return selectors.published_feed_entries()

    def item_title(self, item):
        return f"{item.title} (version {item.number})"

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
