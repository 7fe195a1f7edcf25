"""The admin's history (django_admin_log.object_repr) named accounts by their email address, the old str(); from
now on it names them "Account #42", and the entries written before are renamed the same way. Phone numbers'
entries read "Phone number" (never the number, R-SMS-2), old ones included. Nothing to undo: the addresses are
not kept anywhere to put back."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat


def name_objects_without_personal_data(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model, name in (("account", Concat(Value("Account #"), "object_id")), ("phonenumber", Value("Phone number"))):
        content_type = ContentType.objects.filter(app_label="accounts", model=model).first()
        if content_type is not None:  # a fresh database has no content types (nor entries) yet
            LogEntry.objects.filter(content_type=content_type).update(object_repr=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_password_reset_code"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(name_objects_without_personal_data, migrations.RunPython.noop)]
