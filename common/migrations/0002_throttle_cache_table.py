"""The table of the throttles' database cache (settings.CACHES["throttles"], with the embedded default), so that
`migrate` alone prepares it. createcachetable skips tables that exist and caches that are not in the database."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("common", "0001_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)]
