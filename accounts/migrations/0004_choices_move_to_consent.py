"""MIC, BA and "all profiles opted out" now live in consent.ChoiceValue rows (consent 0003 moved them).

Also drops one_primary_profile_per_account: slot 1 is unique per account and only the primary sits there,
so that partial index restated what two other constraints already enforce.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_profile_name_normalised"),
        ("consent", "0003_choice_rows_and_event_context"),
    ]

    operations = [
        migrations.RemoveField(model_name="account", name="all_profiles_opted_out"),
        migrations.RemoveField(model_name="profile", name="ba_on"),
        migrations.RemoveField(model_name="profile", name="mic_on"),
        migrations.RemoveConstraint(model_name="profile", name="one_primary_profile_per_account"),
    ]
