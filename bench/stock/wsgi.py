"""WSGI entry point of the stock project (gunicorn bench.stock.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stock.settings")

application = get_wsgi_application()
