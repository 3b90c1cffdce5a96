"""The search index gets one row per edition (sheet and language) instead of one per sheet, so each language's live
version is searched in its own words (factsheets.public.search). The index is derived data: the new table is filled
from the live code, then the old one is dropped. Reversing recreates the old table and copies the English rows back
into it, as they were."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

NEW_TABLE = "factsheets_editionsearchindex"
OLD_TABLE = "factsheets_sheetsearchindex"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX edition_search_document_gin ON {NEW_TABLE} USING gin (document)")


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS edition_search_document_gin")


def restore_old_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX sheet_search_document_gin ON {OLD_TABLE} USING gin (document)")


def fill_index(apps, schema_editor):
    # The live code, not historical models: the index is derived data and must match what search reads.
    FactSheet = apps.get_model("factsheets", "FactSheet")
    if FactSheet.objects.using(schema_editor.connection.alias).filter(live_revision__isnull=False).exists():
        from factsheets.public.search import refresh_search_index

        refresh_search_index()


def copy_english_rows_back(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO {OLD_TABLE} (fact_sheet_id, text, document) "
        f"SELECT fact_sheet_id, text, document FROM {NEW_TABLE} WHERE language = 'en'"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('factsheets', '0015_editions'),
    ]

    operations = [
        migrations.CreateModel(
            name='EditionSearchIndex',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', max_length=8)),
                ('text', models.TextField(blank=True)),
                ('document', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('fact_sheet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='search_entries', to='factsheets.factsheet')),
            ],
            options={
                'verbose_name': 'search index entry',
                'verbose_name_plural': 'search index entries',
            },
        ),
        migrations.AddConstraint(
            model_name='editionsearchindex',
            constraint=models.UniqueConstraint(fields=('fact_sheet', 'language'), name='one_search_entry_per_edition'),
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        # Reversed after the old table is back (the operations below run first): its English rows come back.
        migrations.RunPython(fill_index, copy_english_rows_back),
        migrations.RunPython(migrations.RunPython.noop, restore_old_gin_index),
        migrations.DeleteModel(
            name='SheetSearchIndex',
        ),
    ]
