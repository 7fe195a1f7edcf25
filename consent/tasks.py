"""Marketing email and texts are sent by tasks on Django's Tasks API (the `django-tasks` backport on Django 5.2),
never by a loop in a request. Which backend runs them is the TASKS setting: `django_tasks_db` (a table in our
database, `manage.py db_worker`) by default, Redis Queue (`django-tasks-rq`) for a deployment that outgrows one
database. Each task asks the policy at send time, so an opt-out between enqueueing and sending is honoured.

Arguments are JSON (ids as strings): a task may run in another process, on another machine.
"""

from uuid import UUID

from django.core.mail import get_connection
from django_tasks import task

from accounts import selectors as account_selectors
from accounts.models import Account
from common.sms import TextMessage, get_backend
from consent import email, policy, selectors


@task()
def send_marketing_emails(*, profile_ids: list[str], category: str, subject: str, body: str) -> int:
    """Send one batch: one message per address, naming every profile there that still allows the category
    (R-EM-3), none for kids profiles. Returns how many messages were sent. The command puts all of an
    account's profiles in one batch, so no address gets the campaign twice.

    One query for the batch's facts (however many accounts), one email connection for the batch."""
    facts = selectors.facts_by_profile_id(UUID(each) for each in profile_ids)
    profiles = email.profiles_by_id(list(facts))
    # A profile deleted between the two reads is skipped: it must not fail the batch for everyone else.
    found = [(profile, facts[pk]) for pk in facts if (profile := profiles.get(pk)) is not None]
    messages = email.campaign_messages(found, category=category, subject=subject, body=body)
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


@task()
def send_marketing_texts(*, account_ids: list[int], category: str, body: str) -> int:
    """Send one batch of marketing texts: only to a number on file, for a category that is on (R-SMS-1,
    R-SMS-2). Returns how many were sent."""
    messages = []
    for account in Account.objects.filter(pk__in=account_ids, is_active=True).select_related("phone"):
        phone = account_selectors.account_phone(account=account)
        values = selectors.account_values(account=account)
        if phone is not None and policy.marketing_text_allowed(values, category, has_phone=True):
            messages.append(TextMessage(to=str(phone.number), body=body))
    return get_backend().send_messages(messages) if messages else 0
