"""Static files storage for production."""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger("netflix_privacy.static")


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files (whitenoise), but a file missing from the manifest — usually a deployment
    that skipped `manage.py collectstatic` — costs its styling, not a 500 on every page. It is logged as an
    error so the missing step is seen."""

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:
            logger.error("Static file %r is not collected: run `manage.py collectstatic`.", name)
            return self._url(lambda n: n, name, force)
