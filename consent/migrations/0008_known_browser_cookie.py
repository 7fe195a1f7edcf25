"""The cookie registry (R-CK-1) lists the sign-in's known_browser cookie (accounts.browsers)."""

from django.db import migrations

COOKIE = {
    "name": "known_browser",
    "category": "necessary",
    "purpose": "Remembers that this browser signed in to your account, so a password reset you ask for from it "
    "is never held back by requests strangers make for your address.",
    "lifetime": "1 year",
}


def load(apps, schema_editor):
    Cookie = apps.get_model("consent", "Cookie")
    Cookie.objects.update_or_create(name=COOKIE["name"], defaults=COOKIE)


def unload(apps, schema_editor):
    apps.get_model("consent", "Cookie").objects.filter(name=COOKIE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0007_app_token_password_fingerprint")]

    operations = [migrations.RunPython(load, unload)]
