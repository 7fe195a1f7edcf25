"""R-AU-3: delete consent events older than the retention period (24 calendar months), and nothing younger; the
change feed's entries (R-API-3) are kept exactly as long."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from consent import policy, services
from consent.models import ConsentEvent

DEFAULT_BATCH_SIZE = 5000


class Command(BaseCommand):
    help = (
        "Delete consent events and change feed entries older than 24 calendar months, in bounded batches so no long "
        "lock is held. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Events deleted per statement and transaction (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: object, batch_size: int = DEFAULT_BATCH_SIZE, **options: object) -> None:
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            raise SystemExit(2)
        cutoff = policy.event_purge_cutoff(timezone.now())
        deleted = ConsentEvent.objects.purge_before(cutoff, batch_size=batch_size)
        self.stdout.write(f"Removed {deleted} consent event(s) created before {cutoff.isoformat()}.")
        entries = services.feed_purge_before(cutoff, batch_size=batch_size)
        self.stdout.write(f"Removed {entries} change feed entr{'y' if entries == 1 else 'ies'} created before then.")
