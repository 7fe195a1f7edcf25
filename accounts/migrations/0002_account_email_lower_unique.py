# Emails are one identifier whatever their case: normalise what is stored, then let the
# database refuse a second account whose email differs only in case.

import unicodedata

import django.db.models.functions.text
from django.db import migrations, models


def _normalize_email(value):
    text = unicodedata.normalize("NFKC", value or "").strip().lower()
    return unicodedata.normalize("NFKC", text)


def normalise_stored_emails(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    seen = {}
    for account in Account.objects.order_by("pk").only("pk", "email"):
        email = _normalize_email(account.email)
        if email in seen:
            raise RuntimeError(
                f"Accounts {seen[email]} and {account.pk} hold the same email in different case; "
                "merge or rename one of them, then migrate again."
            )
        seen[email] = account.pk
        if email != account.email:
            Account.objects.filter(pk=account.pk).update(email=email)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(normalise_stored_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="account_email_lower_unique",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
