"""Remove what django-axes keeps about sign-ins (email, IP address, user agent) once it has no use."""

from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Delete failed sign-in attempts whose lock-out cool-off is over, and sign-in logs older than "
        "LOGIN_RECORD_RETENTION_DAYS (default 30). Run it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override LOGIN_RECORD_RETENTION_DAYS.")

    def handle(self, *args, days: int | None = None, **options) -> None:
        now = timezone.now()
        retention = timedelta(days=settings.LOGIN_RECORD_RETENTION_DAYS if days is None else days)
        cool_off = get_cool_off() or retention
        attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - cool_off).delete()
        logs, _ = AccessLog.objects.filter(attempt_time__lt=now - retention).delete()
        failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=now - retention).delete()
        self.stdout.write(f"Removed {attempts} attempt(s), {logs} access log(s), {failures} failure log(s).")
