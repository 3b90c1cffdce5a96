"""Content: what a version says and how it is checked, rendered, compared and read back.

The models themselves live in `factsheets.models` (Django looks for them there); this package holds
everything else about content that does not depend on how it is shown: Markdown and its rendering,
validation and limits, drug and condition codes, diffs, the database guards
that keep signed records unchanged, and the read-only selectors of published content.
"""
