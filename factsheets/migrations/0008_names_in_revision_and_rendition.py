"""Names and "used for" conditions become signed revision content; each submitted revision gets a stored rendition.

Existing revisions take their sheet's current names and conditions. Revisions hashed before keep hash
version 1 (the canonical form without names), so their sign-offs still verify; drafts move to version 2.
Renditions of already submitted revisions are made here, marked `rendered_on_upgrade`.
"""

import django.db.models.deletion
import factsheets.content.validators
from django.db import migrations, models


EDITABLE = ("draft", "changes_requested")


def copy_names_into_revisions(apps, schema_editor):
    FactSheetRevision = apps.get_model("factsheets", "FactSheetRevision")
    db = schema_editor.connection.alias
    for revision in FactSheetRevision.objects.using(db).select_related("fact_sheet").iterator():
        sheet = revision.fact_sheet
        conditions = list(sheet.conditions.order_by("name", "slug"))
        revision.conditions.set(conditions)
        FactSheetRevision.objects.using(db).filter(pk=revision.pk).update(
            generic_name=sheet.generic_name,
            brand_names=sheet.brand_names,
            conditions_as_signed=[] if revision.status in EDITABLE else [{"slug": c.slug, "name": c.name} for c in conditions],
            # A draft is hashed at its submission, under the new form; anything hashed already keeps form 1.
            hash_version=1 if revision.content_hash else 2,
        )


def render_submitted_revisions(apps, schema_editor):
    # The live code, not historical models: a rendition is what the current renderer makes. Only when there
    # is something to render, so a fresh database never loads today's models against an older schema.
    FactSheetRevision = apps.get_model("factsheets", "FactSheetRevision")
    if not FactSheetRevision.objects.exclude(status__in=EDITABLE).exists():
        return
    from factsheets.models import FactSheetRevision as LiveRevision
    from factsheets.public.rendition import make_rendition

    for revision in LiveRevision.objects.exclude(status__in=EDITABLE).prefetch_related("sections"):
        rendition = make_rendition(revision, on_upgrade=True)
        LiveRevision.objects.filter(pk=revision.pk).update(rendition=rendition)
    # The search index is filled from the live code by 0016 (the table it writes is made there).


class Migration(migrations.Migration):

    dependencies = [
        ('factsheets', '0007_sheet_search_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='factsheetrevision',
            name='brand_names',
            field=models.CharField(blank=True, help_text='Brand names separated by commas, e.g. “Kineret, Examplex”.', max_length=500, validators=[factsheets.content.validators.no_nul_bytes]),
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='conditions',
            field=models.ManyToManyField(blank=True, help_text='Conditions this drug is used for, shown as “Used for”.', related_name='revisions', to='factsheets.condition'),
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='conditions_as_signed',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='The “Used for” conditions (slug and name) as they stood at submission: what the committee signed.'),
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='generic_name',
            field=models.CharField(default='', help_text='The generic drug name, e.g. “anakinra”.', max_length=200, validators=[factsheets.content.validators.no_nul_bytes]),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=1, editable=False, help_text='Version of the canonical form the content hash was computed over.'),
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='brand_names',
            field=models.CharField(blank=True, help_text='Brand names separated by commas, e.g. “Kineret, Examplex”.', max_length=500, validators=[factsheets.content.validators.no_nul_bytes]),
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='conditions_as_signed',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='The “Used for” conditions (slug and name) as they stood at submission: what the committee signed.'),
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='generic_name',
            field=models.CharField(default='', help_text='The generic drug name, e.g. “anakinra”.', max_length=200, validators=[factsheets.content.validators.no_nul_bytes]),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=1, editable=False, help_text='Version of the canonical form the content hash was computed over.'),
        ),
        migrations.RunPython(copy_names_into_revisions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='factsheetrevision',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=2, editable=False, help_text='Version of the canonical form the content hash was computed over.'),
        ),
        migrations.AlterField(
            model_name='historicalfactsheetrevision',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=2, editable=False, help_text='Version of the canonical form the content hash was computed over.'),
        ),
        migrations.RemoveField(
            model_name='factsheet',
            name='brand_names',
        ),
        migrations.RemoveField(
            model_name='factsheet',
            name='conditions',
        ),
        migrations.RemoveField(
            model_name='factsheet',
            name='generic_name',
        ),
        migrations.RemoveField(
            model_name='historicalfactsheet',
            name='brand_names',
        ),
        migrations.RemoveField(
            model_name='historicalfactsheet',
            name='generic_name',
        ),
        migrations.CreateModel(
            name='Rendition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body_html', models.TextField(editable=False)),
                ('document', models.TextField(editable=False, help_text="JSON text of the API document's content fields.")),
                ('reading_flesch_kincaid', models.FloatField(editable=False, null=True)),
                ('reading_smog', models.FloatField(editable=False, null=True)),
                ('rendition_hash', models.CharField(editable=False, help_text='SHA-256 of the stored HTML and JSON.', max_length=64)),
                ('rendered_at', models.DateTimeField(editable=False)),
                ('rendered_on_upgrade', models.BooleanField(default=False, editable=False, help_text='Made when renditions were introduced, for a version signed before.')),
                ('revision', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='renditions', to='factsheets.factsheetrevision')),
            ],
            options={
                'verbose_name': 'rendition',
            },
        ),
        migrations.AddField(
            model_name='factsheetrevision',
            name='rendition',
            field=models.ForeignKey(blank=True, editable=False, help_text="The stored rendition of this version's latest submission: what reviewers signed and patients get.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='factsheets.rendition'),
        ),
        migrations.AddField(
            model_name='historicalfactsheetrevision',
            name='rendition',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text="The stored rendition of this version's latest submission: what reviewers signed and patients get.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='factsheets.rendition'),
        ),
        migrations.RunPython(render_submitted_revisions, migrations.RunPython.noop),
    ]
