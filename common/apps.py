from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The bottom layer: plumbing every app may use (text messages, redirects, the shared cache, HTTP policies).
    It imports neither accounts nor consent."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common import checks  # noqa: F401 (registers the deploy checks)
