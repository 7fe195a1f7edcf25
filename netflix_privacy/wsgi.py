"""WSGI entry point (gunicorn netflix_privacy.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netflix_privacy.settings.production")

application = get_wsgi_application()
