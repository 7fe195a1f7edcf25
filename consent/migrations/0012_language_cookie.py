"""The cookie registry (R-CK-1) lists the language chooser's cookie (R-I18N-1, Django's LANGUAGE_COOKIE_NAME)."""

from django.conf import settings
from django.db import migrations

COOKIE = {
    "name": settings.LANGUAGE_COOKIE_NAME,
    "category": "necessary",
    "purpose": "Remembers the language you picked for this site.",
    "lifetime": "1 year",
}


def load(apps, schema_editor):
    Cookie = apps.get_model("consent", "Cookie")
    Cookie.objects.update_or_create(name=COOKIE["name"], defaults=COOKIE)


def unload(apps, schema_editor):
    apps.get_model("consent", "Cookie").objects.filter(name=COOKIE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0011_eligibility_change_feed")]

    operations = [migrations.RunPython(load, unload)]
