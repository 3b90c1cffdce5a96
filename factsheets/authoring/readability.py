"""Reading scores in the admin revision editor: read-only fields for the revision and its section inline.

Use: add `ReadingScoresAdminMixin` to the revision's ModelAdmin and put "reading_scores" in its
`readonly_fields` (and a fieldset); add `SectionReadingGradeMixin` to the section inline and put
"reading_grade" in its `readonly_fields`. Scores reflect the last save; the target is the setting
`FACTSHEETS_READING_GRADE_TARGET` (default 8) because a draft has no committee yet.
"""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html

from factsheets.content import languages
from factsheets.plain_language import readability, spanish
from factsheets.plain_language.aids import reading_panel


def section_grade_html(section) -> str:
    """The section's reading grade against the target; for a section of a translation, its Spanish reading ease
    against the lowest ease that target asks of Spanish text (the inline reads its revision with the section)."""
    if section is None or section.pk is None:
        return "Shown after saving."
    language = section.revision.language
    scores = readability.score_section(section, language)
    target = readability.target_grade()
    spanish_text = languages.is_translation(language)
    if (scores.ease if spanish_text else scores.grade) is None:
        return "No text to score."
    if scores.above(target):
        css = "reading-label-above"
        label = (
            f"below the ease of {spanish.minimum_ease(target):g} that grade {target:g} asks"
            if spanish_text
            else f"above target {target:g}"
        )
    else:
        css, label = "reading-label-ok", "within target"
    if spanish_text:
        return format_html(
            '<span class="reading-label {}">Ease {} ({}, {})</span> Fernández Huerta {}',
            css,
            scores.szigriszt_pazos,
            scores.band[0],
            label,
            scores.fernandez_huerta,
        )
    return format_html(
        '<span class="reading-label {}">Grade {} ({})</span> SMOG {}', css, scores.flesch_kincaid, label, scores.smog
    )


def revision_scores_html(revision) -> str:
    if revision is None or revision.pk is None:
        return "Shown after saving."
    return render_to_string(
        "factsheets/_reading_scores.html",
        {"reading": reading_panel(revision, language=revision.language), "hide_heading": True},
    )


class ReadingScoresAdminMixin:
    @admin.display(description="Reading level")
    def reading_scores(self, obj):
        return revision_scores_html(obj)


class SectionReadingGradeMixin:
    @admin.display(description="Reading grade")
    def reading_grade(self, obj):
        return section_grade_html(obj)
