"""R-EM-1, R-EM-3: enqueue a marketing email for every address with a profile that allows its category, in
batches of tasks: one message per address, naming the profiles it covers, none for kids profiles.

Eligibility is asked of the policy here (so nothing is queued for a profile that is out) and again by each task
when it sends (so an opt-out in between is honoured). Batches are of accounts: every profile of an account goes
in the same task, which groups them by address, so no address gets the campaign twice. The tasks run on the
configured TASKS backend: with the default database backend, `manage.py db_worker` sends them.
"""

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account, Profile
from consent import email, policy, selectors
from consent.management.commands.export_mic_audience import _Progress
from consent.tasks import send_marketing_emails


class Command(BaseCommand):
    help = "Enqueue a marketing email of one category for every profile that allows it (sent by the task worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--category", required=True, help=f"One of: {', '.join(email.marketing_categories())}.")
        parser.add_argument("--subject", default="News from Privacy Center")
        parser.add_argument("--body", default="Here is what is new this week.")
        parser.add_argument(
            "--batch-size", type=int, default=250, help="Accounts per task (an account's profiles share one task)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: object, category: str, subject: str, body: str, batch_size: int, **options: object) -> None:
        if category not in email.marketing_categories():
            raise CommandError(f"Unknown category {category!r}: use one of {', '.join(email.marketing_categories())}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        accounts = Account.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
        total = accounts.count()
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        progress = _Progress(sys.stderr, total, unit="accounts") if show_progress else None
        queued = profiles = tasks = 0
        last = None
        while True:
            page = accounts.filter(pk__gt=last) if last else accounts
            batch = list(page[:batch_size])
            if not batch:
                break
            last = batch[-1]
            rows = Profile.objects.filter(account_id__in=batch).order_by("account_id", "slot")
            owners = dict(rows.values_list("pk", "account_id"))
            facts = selectors.facts_by_profile_id(owners)
            eligible = [pk for pk in owners if pk in facts and policy.marketing_email_allowed(facts[pk], category)]
            if eligible:
                send_marketing_emails.enqueue(
                    profile_ids=[str(pk) for pk in eligible], category=category, subject=subject, body=body
                )
                queued += len({owners[pk] for pk in eligible})
                profiles += len(eligible)
                tasks += 1
            if progress:
                progress.advance(len(batch))
        if progress:
            progress.finish()
        self.stdout.write(f"Queued {queued} emails ({category}) for {profiles} profiles in {tasks} tasks.")
