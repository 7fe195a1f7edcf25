"""ASGI entry point (for an ASGI server; production deploys the WSGI one with gunicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netflix_privacy.settings.production")

application = get_asgi_application()
