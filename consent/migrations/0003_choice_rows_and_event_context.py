"""Choices become rows: one current ChoiceValue per subject and choice, read through the registry.

Moves each profile's MIC and BA values and each account's "all profiles opted out" flag into rows (their events
stay as they are), and lets the event table take new choices and sources without a migration: the check
constraints go (validated in Python) and a small JSON context comes in. On SQLite, altering the event table
rebuilds it, which drops the append-only trigger of 0002; it is installed again at the end.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_values_to_rows(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    Account = apps.get_model("accounts", "Account")
    ChoiceValue = apps.get_model("consent", "ChoiceValue")
    now = django.utils.timezone.now()
    rows = []
    for profile in Profile.objects.all().iterator(chunk_size=2000):
        rows.append(ChoiceValue(account_id=profile.account_id, profile_id=profile.pk, choice="mic", value=profile.mic_on, updated_at=now))
        rows.append(ChoiceValue(account_id=profile.account_id, profile_id=profile.pk, choice="ba", value=profile.ba_on, updated_at=now))
    for account_id in Account.objects.filter(all_profiles_opted_out=True).values_list("pk", flat=True):
        rows.append(ChoiceValue(account_id=account_id, profile_id=None, choice="all_profiles_opt_out", value=True, updated_at=now))
    ChoiceValue.objects.bulk_create(rows, batch_size=2000)


def rows_back_to_values(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    Account = apps.get_model("accounts", "Account")
    ChoiceValue = apps.get_model("consent", "ChoiceValue")
    for row in ChoiceValue.objects.filter(choice__in=["mic", "ba"], profile__isnull=False):
        Profile.objects.filter(pk=row.profile_id).update(**{f"{row.choice}_on": row.value})
    opted_out = ChoiceValue.objects.filter(choice="all_profiles_opt_out", profile__isnull=True, value=True)
    Account.objects.filter(pk__in=opted_out.values("account_id")).update(all_profiles_opted_out=True)


def reinstall_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS consent_event_no_update BEFORE UPDATE ON consent_consentevent "
            "BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('consent', '0002_consentevent_append_only_trigger'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChoiceValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('choice', models.CharField(max_length=40)),
                ('value', models.BooleanField()),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='consentevent',
            name='consentevent_choice_known',
        ),
        migrations.RemoveConstraint(
            model_name='consentevent',
            name='consentevent_source_known',
        ),
        migrations.AddField(
            model_name='consentevent',
            name='context',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='consentevent',
            name='choice',
            field=models.CharField(max_length=40),
        ),
        migrations.AlterField(
            model_name='consentevent',
            name='source',
            field=models.CharField(max_length=32),
        ),
        migrations.AddField(
            model_name='choicevalue',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='choice_values', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='choicevalue',
            name='profile',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='choice_values', to='accounts.profile'),
        ),
        migrations.AddConstraint(
            model_name='choicevalue',
            constraint=models.UniqueConstraint(condition=models.Q(('profile__isnull', False)), fields=('account', 'profile', 'choice'), name='choicevalue_one_per_profile_choice'),
        ),
        migrations.AddConstraint(
            model_name='choicevalue',
            constraint=models.UniqueConstraint(condition=models.Q(('profile__isnull', True)), fields=('account', 'choice'), name='choicevalue_one_per_account_choice'),
        ),
        migrations.RunPython(move_values_to_rows, rows_back_to_values),
        migrations.RunPython(reinstall_sqlite_trigger, migrations.RunPython.noop),
    ]
