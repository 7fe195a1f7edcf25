"""R-AU-2 in the database too: an UPDATE of a consent event fails whoever issues it.

DELETE stays possible for the retention purge (R-AU-3) and for erasing an account.
"""

from django.db import migrations

SQL = {
    "postgresql": (
        """
        CREATE FUNCTION consent_event_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'consent events are append-only';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_consentevent
            FOR EACH ROW EXECUTE FUNCTION consent_event_append_only();
        """,
        """
        DROP TRIGGER IF EXISTS consent_event_no_update ON consent_consentevent;
        DROP FUNCTION IF EXISTS consent_event_append_only();
        """,
    ),
    "sqlite": (
        """
        CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_consentevent
        BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;
        """,
        "DROP TRIGGER IF EXISTS consent_event_no_update;",
    ),
}


def forwards(apps, schema_editor):
    sql = SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[0])


def backwards(apps, schema_editor):
    sql = SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[1])


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
