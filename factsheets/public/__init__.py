"""The public site: pages, feeds, sitemaps, search, the stored rendition, HTTP caching and the static export.

Everything here serves what patients read, and only what a committee approved (see
factsheets.content.selectors). It imports content and plain language, never authoring or the API.
"""
