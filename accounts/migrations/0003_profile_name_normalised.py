# Profile names are normalised (NFC, trimmed) and hold no control or invisible characters, so two names that look
# alike are one name and a name never hides text (accounts.normalize).
# Existing names are cleaned the same way; one left with nothing visible becomes "Profile <slot>".

import unicodedata

from django.db import migrations

import accounts.fields

_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def _visible(char):
    return not (char.isspace() or unicodedata.category(char)[0] in {"Z", "M", "C"} or char in _INVISIBLE)


def clean_stored_names(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    for profile in Profile.objects.only("pk", "name", "slot"):
        kept = "".join(c for c in unicodedata.normalize("NFC", profile.name) if unicodedata.category(c) not in _REFUSED)
        name = kept.strip()[:50]
        if not any(_visible(c) for c in name):
            name = f"Profile {profile.slot}"
        if name != profile.name:
            Profile.objects.filter(pk=profile.pk).update(name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_account_email_lower_unique"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="name",
            field=accounts.fields.ProfileNameField(max_length=50),
        ),
        migrations.RunPython(clean_stored_names, migrations.RunPython.noop),
    ]
