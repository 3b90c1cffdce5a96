# Editions: a version carries its language (existing versions are English) and, for a translation, the English
# version it translates; numbers and "one published version" are per sheet and language. Both are signed
# content of a version (canonical form 4), so the frozen-revision guard names them (SQLite). SQLite rebuilds the
# revisions table and its history table to add the columns, dropping their triggers and refusing to rename a
# table that another guard reads, so every guard on or reading them is dropped first and installed again after.
# Existing versions keep the canonical form they were hashed under, so their sign-offs still verify.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from factsheets.content.db_guards import DropRecordGuard, RecordGuard

OLD_REVISION_COLUMNS = [
    "id", "fact_sheet_id", "number", "status", "title", "generic_name", "brand_names", "conditions_as_signed",
    "summary", "fast_facts", "credit_line", "change_note", "content_hash", "rendition_id", "hash_version",
    "created_by_id", "created_at", "submitted_at", "approved_at", "published_at", "updated_on",
    "last_reviewed_on", "next_review_due", "publish_at", "reviewed_by_name", "imported_from",
    "rxnorm", "atc", "ndc",
]
REVISION_COLUMNS = [*OLD_REVISION_COLUMNS, "language", "translation_of_id"]
HISTORY_TABLES = ["factsheets_historicalfactsheetrevision"]
SECTION_GUARD = dict(parent_table="factsheets_factsheetrevision", parent_column="revision_id")
LINK_GUARD = dict(
    parent_table="factsheets_factsheetrevision", parent_column="factsheetrevision_id",
    signed_column="conditions_as_signed", target_table="factsheets_condition", target_column="condition_id",
)


def refuse_to_drop_translations(apps, schema_editor):
    """Reversing would turn translations into English versions and merge their numbering: refuse."""
    FactSheetRevision = apps.get_model("factsheets", "FactSheetRevision")
    if FactSheetRevision.objects.using(schema_editor.connection.alias).exclude(language="en").exists():
        raise RuntimeError(
            "Some versions are translations; reversing this migration would lose their language and the English "
            "version they translate. Nothing was changed."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('factsheets', '0014_glossary_language'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        DropRecordGuard("frozen_revision", "factsheets_factsheetrevision", columns=OLD_REVISION_COLUMNS),
        *[DropRecordGuard("append_only", table) for table in HISTORY_TABLES],
        DropRecordGuard("frozen_children", "factsheets_section", **SECTION_GUARD),
        DropRecordGuard("signed_links", "factsheets_factsheetrevision_conditions", **LINK_GUARD),
        migrations.RemoveConstraint(
            model_name='factsheetrevision',
            name='unique_revision_number_per_fact_sheet',
        ),
        migrations.RemoveConstraint(
            model_name='factsheetrevision',
            name='one_published_revision_per_fact_sheet',
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', editable=False, help_text='The edition this version belongs to. Each language numbers its versions from 1.', max_length=8),
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='translation_of',
            field=models.ForeignKey(blank=True, editable=False, help_text='For a translation: the published English version it translates (signed with it).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='translations', to='factsheets.factsheetrevision'),
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', editable=False, help_text='The edition this version belongs to. Each language numbers its versions from 1.', max_length=8),
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='translation_of',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='For a translation: the published English version it translates (signed with it).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='factsheets.factsheetrevision'),
        ),
        migrations.AlterField(
            model_name='factsheetrevision',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=4, editable=False, help_text='Version of the canonical form the content hash was computed over.'),
        ),
        migrations.AlterField(
            model_name='factsheetrevision',
            name='number',
            field=models.PositiveIntegerField(help_text='Version number within its language, 1 for the first version of the sheet in that language.'),
        ),
        migrations.AlterField(
            model_name='historicalfactsheetrevision',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=4, editable=False, help_text='Version of the canonical form the content hash was computed over.'),
        ),
        migrations.AlterField(
            model_name='historicalfactsheetrevision',
            name='number',
            field=models.PositiveIntegerField(help_text='Version number within its language, 1 for the first version of the sheet in that language.'),
        ),
        migrations.AddConstraint(
            model_name='factsheetrevision',
            constraint=models.UniqueConstraint(fields=('fact_sheet', 'language', 'number'), name='unique_revision_number_per_edition'),
        ),
        migrations.AddConstraint(
            model_name='factsheetrevision',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'published')), fields=('fact_sheet', 'language'), name='one_published_revision_per_edition'),
        ),
        migrations.AddConstraint(
            model_name='factsheetrevision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('language', 'en'), ('translation_of__isnull', True)), models.Q(models.Q(('language', 'en'), _negated=True), ('translation_of__isnull', False)), _connector='OR'), name='translation_names_its_source', violation_error_message='A translation names the English version it translates; English does not.'),
        ),
        RecordGuard("frozen_revision", "factsheets_factsheetrevision", columns=REVISION_COLUMNS),
        *[RecordGuard("append_only", table) for table in HISTORY_TABLES],
        RecordGuard("frozen_children", "factsheets_section", **SECTION_GUARD),
        RecordGuard("signed_links", "factsheets_factsheetrevision_conditions", **LINK_GUARD),
        # Last, so that on reversal it runs first, before anything is dropped.
        migrations.RunPython(migrations.RunPython.noop, refuse_to_drop_translations),
    ]
