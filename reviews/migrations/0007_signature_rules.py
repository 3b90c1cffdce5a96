"""Signature rules: quorum of at least two, the committee and quorum fixed on each review at submission,
the optional authenticator code, the access log, and the hash chain over sign-offs (existing sign-offs are
chained in signing order)."""

import django.db.models.deletion
import reviews.models
from django.conf import settings
from django.db import migrations, models

from reviews import chain

QUORUM_FLOOR = 2  # frozen copy of reviews.models.QUORUM_FLOOR


def forwards(apps, schema_editor):
    Committee = apps.get_model("reviews", "Committee")
    Review = apps.get_model("reviews", "Review")
    Decision = apps.get_model("reviews", "Decision")
    Committee.objects.filter(required_approvals__lt=QUORUM_FLOOR).update(required_approvals=QUORUM_FLOOR)
    # Open reviews get the rules in force now; closed ones keep none (their quorum came from the committee's history).
    for review in Review.objects.filter(status="open").select_related("committee"):
        review.quorum = review.committee.required_approvals
        review.save(update_fields=["quorum"])
        review.members.set(review.committee.members.all())
    previous = ""
    for sequence, decision in enumerate(Decision.objects.order_by("signed_at", "id"), start=1):
        decision.sequence = sequence
        decision.previous_hash = previous
        decision.chain_hash = previous = chain.chain_hash(chain.decision_fields(decision), previous)
        decision.save(update_fields=["sequence", "previous_hash", "chain_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ('factsheets', '0008_names_in_revision_and_rendition'),
        ('reviews', '0006_signed_rendition'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('by_owner', models.BooleanField(default=False, help_text="The account's owner made this change themselves.")),
                ('at', models.DateTimeField(db_index=True)),
                ('kind', models.CharField(choices=[('password_set', 'Password set'), ('email_set', 'Email address set'), ('role_granted', 'Role granted'), ('role_removed', 'Role removed'), ('member_added', 'Added to a committee'), ('member_removed', 'Removed from a committee'), ('quorum_changed', 'Committee quorum changed'), ('authenticator_enrolled', 'Authenticator app enrolled'), ('authenticator_removed', 'Authenticator app removed')], max_length=30)),
                ('via', models.CharField(help_text='The screen or command that made the change.', max_length=200)),
                ('detail', models.CharField(blank=True, max_length=500)),
            ],
            options={
                'verbose_name': 'access event',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='committee',
            name='committee_quorum_at_least_one',
        ),
        migrations.AddField(
            model_name='committee',
            name='signing_needs_authenticator',
            field=models.BooleanField(default=False, help_text='Signing needs an authenticator code: members then enrol an authenticator app on their account page and type its current code with their password. Applies to reviews opened after the change.'),
        ),
        migrations.AddField(
            model_name='decision',
            name='chain_hash',
            field=models.CharField(default='', help_text="SHA-256 over this sign-off's fields and the previous chain hash.", max_length=64),
        ),
        migrations.AddField(
            model_name='decision',
            name='previous_hash',
            field=models.CharField(blank=True, help_text='The chain hash of the sign-off before this one.', max_length=64),
        ),
        migrations.AddField(
            model_name='decision',
            name='second_factor',
            field=models.BooleanField(default=False, help_text='An authenticator code was given with the password.'),
        ),
        migrations.AddField(
            model_name='decision',
            name='sequence',
            field=models.PositiveBigIntegerField(help_text='Position in the chain of all sign-offs, from 1.', null=True, unique=True),
        ),
        migrations.AddField(
            model_name='historicalcommittee',
            name='signing_needs_authenticator',
            field=models.BooleanField(default=False, help_text='Signing needs an authenticator code: members then enrol an authenticator app on their account page and type its current code with their password. Applies to reviews opened after the change.'),
        ),
        migrations.AddField(
            model_name='historicalreview',
            name='needs_authenticator',
            field=models.BooleanField(default=False, editable=False, help_text="Whether signing needs an authenticator code (the committee's setting at submission)."),
        ),
        migrations.AddField(
            model_name='historicalreview',
            name='quorum',
            field=models.PositiveSmallIntegerField(editable=False, help_text="Approvals this review needs: the committee's quorum at submission.", null=True),
        ),
        migrations.AddField(
            model_name='review',
            name='members',
            field=models.ManyToManyField(blank=True, editable=False, help_text="The committee's members when the version was submitted; only they sign this review.", related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='review',
            name='needs_authenticator',
            field=models.BooleanField(default=False, editable=False, help_text="Whether signing needs an authenticator code (the committee's setting at submission)."),
        ),
        migrations.AddField(
            model_name='review',
            name='quorum',
            field=models.PositiveSmallIntegerField(editable=False, help_text="Approvals this review needs: the committee's quorum at submission.", null=True),
        ),
        migrations.AlterField(
            model_name='committee',
            name='required_approvals',
            field=models.PositiveSmallIntegerField(default=2, help_text='How many distinct approvals publish a revision (quorum); never below the site minimum (REVIEWS_MIN_APPROVALS, at least 2). A review keeps the quorum in force when it was opened.', validators=[reviews.models.validate_quorum]),
        ),
        migrations.AlterField(
            model_name='historicalcommittee',
            name='required_approvals',
            field=models.PositiveSmallIntegerField(default=2, help_text='How many distinct approvals publish a revision (quorum); never below the site minimum (REVIEWS_MIN_APPROVALS, at least 2). A review keeps the quorum in force when it was opened.', validators=[reviews.models.validate_quorum]),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='decision',
            name='sequence',
            field=models.PositiveBigIntegerField(help_text='Position in the chain of all sign-offs, from 1.', unique=True),
        ),
        migrations.AlterField(
            model_name='decision',
            name='chain_hash',
            field=models.CharField(help_text="SHA-256 over this sign-off's fields and the previous chain hash.", max_length=64),
        ),
        migrations.AddConstraint(
            model_name='committee',
            constraint=models.CheckConstraint(condition=models.Q(('required_approvals__gte', 2)), name='committee_quorum_at_least_two'),
        ),
        migrations.AddConstraint(
            model_name='decision',
            constraint=models.CheckConstraint(condition=models.Q(('sequence__gte', 1)), name='decision_sequence_positive'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('quorum__isnull', True), ('quorum__gte', 2), _connector='OR'), name='review_quorum_at_least_two'),
        ),
        migrations.AddField(
            model_name='accessevent',
            name='actor',
            field=models.ForeignKey(blank=True, help_text='Who made the change; empty when it came from the command line or a script.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='accessevent',
            name='committee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reviews.committee'),
        ),
        migrations.AddField(
            model_name='accessevent',
            name='user',
            field=models.ForeignKey(blank=True, help_text="Whose account or power changed (empty for a committee's quorum).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='access_events', to=settings.AUTH_USER_MODEL),
        ),
    ]
