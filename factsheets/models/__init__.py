"""Content: conditions, fact sheets, their numbered revisions and the ordered sections of each.

A revision is editable while it is a draft or after changes were requested. From submission on its
content is frozen: `FactSheetRevision.save()` and `Section.save()/delete()` refuse, so nothing but a
new revision can change what a committee signed.

One module a part: sheets (conditions, sheets), revisions, sections, renditions, answers (public answers ready to send), support (glossary,
search index) and factsheets.content.version_diffs (stored diffs between versions).
"""

from factsheets.content.version_diffs import VersionDiff
from factsheets.models.answers import AnswerGeneration, StoredAnswer
from factsheets.models.renditions import Rendition
from factsheets.models.revisions import FactSheetRevision, FactSheetRevisionQuerySet
from factsheets.models.sections import Section
from factsheets.models.sheets import (
    BODY_MAX_LENGTH,
    Condition,
    FactSheet,
    FactSheetQuerySet,
    RevisionLocked,
    SectionKind,
    content_digest,
    normalise_newlines,
)
from factsheets.models.support import EditionSearchIndex, GlossaryTerm

__all__ = [
    "AnswerGeneration",
    "BODY_MAX_LENGTH",
    "Condition",
    "EditionSearchIndex",
    "FactSheet",
    "FactSheetQuerySet",
    "FactSheetRevision",
    "FactSheetRevisionQuerySet",
    "GlossaryTerm",
    "Rendition",
    "RevisionLocked",
    "Section",
    "SectionKind",
    "StoredAnswer",
    "VersionDiff",
    "content_digest",
    "normalise_newlines",
]
