"""Static files storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files (whitenoise). A file missing from the manifest, usually a deployment that
    skipped `manage.py collectstatic`, keeps its plain name instead of failing every page with a 500
    (Django's documented `manifest_strict`). The Deployment section of the README runs collectstatic, and CI
    checks that the stylesheet a page links answers 200."""

    manifest_strict = False
