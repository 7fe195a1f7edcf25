"""R-EM-1: enqueue a marketing email to every profile that allows its category, in batches of tasks.

Eligibility is asked of the policy here (so nothing is queued for a profile that is out) and again by each task
when it sends (so an opt-out in between is honoured). The tasks run on the configured TASKS backend: with the
default database backend, `manage.py db_worker` sends them.
"""

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Profile
from consent import email, policy, selectors
from consent.management.commands.export_mic_audience import _Progress
from consent.tasks import send_marketing_emails


class Command(BaseCommand):
    help = "Enqueue a marketing email of one category for every profile that allows it (sent by the task worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--category", required=True, help=f"One of: {', '.join(email.marketing_categories())}.")
        parser.add_argument("--subject", default="News from Privacy Center")
        parser.add_argument("--body", default="Here is what is new this week.")
        parser.add_argument("--batch-size", type=int, default=500, help="Profiles per task.")
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: object, category: str, subject: str, body: str, batch_size: int, **options: object) -> None:
        if category not in email.marketing_categories():
            raise CommandError(f"Unknown category {category!r}: use one of {', '.join(email.marketing_categories())}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ids = Profile.objects.filter(account__is_active=True).order_by("pk").values_list("pk", flat=True)
        total = ids.count()
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        progress = _Progress(sys.stderr, total, unit="profiles") if show_progress else None
        queued = tasks = 0
        last = None
        while True:
            page = ids.filter(pk__gt=last) if last else ids
            batch = list(page[:batch_size])
            if not batch:
                break
            last = batch[-1]
            facts = selectors.facts_by_profile_id(batch)
            eligible = [str(pk) for pk in batch if pk in facts and policy.marketing_email_allowed(facts[pk], category)]
            if eligible:
                send_marketing_emails.enqueue(profile_ids=eligible, category=category, subject=subject, body=body)
                queued += len(eligible)
                tasks += 1
            if progress:
                progress.advance(len(batch))
        if progress:
            progress.finish()
        self.stdout.write(f"Queued {queued} emails ({category}) in {tasks} tasks.")
