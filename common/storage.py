"""Static files storage for production."""

import logging

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger("common.static")


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files (whitenoise). A file missing from the manifest keeps its plain name
    (Django's documented `manifest_strict`). A file the project has but STATIC_ROOT lacks, usually a deployment
    that skipped `manage.py collectstatic`, cannot be hashed at all: it costs its styling and is logged as an
    error naming the step, instead of failing every page with a 500. The Deployment section of the README runs
    collectstatic, and CI checks that the stylesheet a page links answers 200 and that the log names no file.

    A name no static files finder knows is not a missed step: WhiteNoise asks for such names when it starts
    (it strips what looks like a hash from every collected file's name, so `select2.full.js` becomes
    `select2.js`), and a page asking for one gets the plain URL and a 404 for it, as in development."""

    manifest_strict = False

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:
            if name is not None and finders.find(name):
                logger.error("Static file %r is not collected: run `manage.py collectstatic`.", name)
            return StaticFilesStorage.url(self, name)
