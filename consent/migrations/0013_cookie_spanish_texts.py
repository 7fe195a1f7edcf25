"""The cookie registry in Spanish (R-CK-1, R-I18N-1): a Spanish purpose and lifetime beside the English, filled for
the cookies the site ships. A row whose English staff have since reworded is left for them to translate in the
admin (the page shows its English until then), so the Spanish never says something the English no longer does."""

from django.db import migrations, models

# name: (English purpose as shipped, Spanish purpose, Spanish lifetime)
SPANISH = {
    "sessionid": (
        "Keeps you signed in as you move from page to page.",
        "Mantiene tu sesión iniciada mientras pasas de una página a otra.",
        "2 semanas",
    ),
    "csrftoken": (
        "Protects the site's forms from cross-site request forgery.",
        "Protege los formularios del sitio contra la falsificación de solicitudes entre sitios.",
        "1 año",
    ),
    "messages": (
        "Carries a one-time confirmation, such as “Saved”, to the next page.",
        "Lleva a la página siguiente una confirmación que se muestra una sola vez, como “Guardado”.",
        "Sesión",
    ),
    "privacy_consent": (
        "Remembers the cookie choices you made on this browser.",
        "Recuerda las opciones de cookies que elegiste en este navegador.",
        "1 año",
    ),
    "ad_id": (
        "A random identifier that measures our own advertising on this browser.",
        "Un identificador aleatorio que mide nuestra propia publicidad en este navegador.",
        "1 año",
    ),
    "known_browser": (
        "Remembers that this browser signed in to your account, so a password reset you ask for from it "
        "is never held back by requests strangers make for your address.",
        "Recuerda que este navegador inició sesión en tu cuenta, para que un restablecimiento de contraseña que "
        "pidas desde él nunca se retrase por solicitudes que otras personas hagan con tu correo electrónico.",
        "1 año",
    ),
    "django_language": (
        "Remembers the language you picked for this site.",
        "Recuerda el idioma que elegiste para este sitio.",
        "1 año",
    ),
}


def load(apps, schema_editor):
    Cookie = apps.get_model("consent", "Cookie")
    for name, (purpose, purpose_es, lifetime_es) in SPANISH.items():
        Cookie.objects.filter(name=name, purpose=purpose, purpose_es="").update(
            purpose_es=purpose_es, lifetime_es=lifetime_es
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0012_language_cookie")]

    operations = [
        migrations.AddField(
            model_name="cookie",
            name="purpose_es",
            field=models.CharField(
                default="", help_text="The purpose, in Spanish.", max_length=300, verbose_name="purpose (Spanish)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="cookie",
            name="lifetime_es",
            field=models.CharField(
                default="",
                help_text="How long it lasts, in Spanish, e.g. “Sesión” or “1 año”.",
                max_length=60,
                verbose_name="lifetime (Spanish)",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
