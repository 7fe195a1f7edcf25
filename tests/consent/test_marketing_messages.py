"""Marketing email and texts (R-EM-1, R-EM-3, R-SMS-1, R-SMS-2): queued as tasks, and each message asks the policy
when it is sent, so an opt-out after queueing is honoured; a real db_worker process sends them as a deployment
does (CI runs that too, see .ci/run)."""

import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation

from accounts.models import PhoneNumber
from accounts.services import phone_delete
from consent import email, policy, selectors, services
from consent.choices import Choice, Page
from consent.tasks import send_marketing_emails, send_marketing_texts
from tests.factories import AccountFactory
from tests.helpers import actor, clean_environment, profile_named, run

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_command_queues_every_eligible_profile_and_each_message_can_unsubscribe__R_EM_1_R_EM_2(ads_account):
    services.profile_set_choices(
        profile=profile_named(ads_account, "Sam"), values={Choice.EMAIL_OFFERS: False}, actor=actor()
    )
    other = AccountFactory(primary_profile_name="Robin")
    out = StringIO()
    call_command("send_marketing_email", "--category", Choice.EMAIL_OFFERS, "--batch-size", "1", stdout=out)
    assert "Queued 2 emails (email_offers) for 2 profiles in 2 tasks." in out.getvalue()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([ads_account.email, other.email])
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all("for Sam" not in message.body for message in mail.outbox)


def test_one_campaign_sends_one_email_per_address_naming_its_profiles_and_none_for_kids__R_EM_3(ads_account):
    """R-EM-3: Alex, Sam and Kids all allow "Offers and news": one email to the address, naming Alex and Sam;
    kids profiles get no marketing email. Its one-click link unsubscribes both."""
    out = StringIO()
    call_command("send_marketing_email", "--category", Choice.EMAIL_OFFERS, stdout=out)
    assert "Queued 1 emails (email_offers) for 2 profiles in 1 tasks." in out.getvalue()
    assert len(mail.outbox) == 1
    (message,) = mail.outbox
    assert message.to == [ads_account.email]
    assert "You get this as Offers and news email for Alex and Sam." in message.body
    assert "Kids" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert Client().post(link.removeprefix(settings.PRIVACY_SITE_URL.rstrip("/"))).status_code == 200
    assert (
        selectors.profile_facts(profile=profile_named(ads_account, "Alex"), account=ads_account).values[
            Choice.EMAIL_OFFERS
        ]
        is False
    )
    assert (
        selectors.profile_facts(profile=profile_named(ads_account, "Sam"), account=ads_account).values[
            Choice.EMAIL_OFFERS
        ]
        is False
    )


@pytest.mark.parametrize("batch_size", ["1", "2", "500"])
def test_no_address_gets_a_campaign_twice_whatever_the_batch_size__R_EM_3(ads_account, batch_size):
    AccountFactory(primary_profile_name="Robin")
    call_command(
        "send_marketing_email", "--category", Choice.EMAIL_SURVEYS, "--batch-size", batch_size, stdout=StringIO()
    )
    addresses = [message.to[0] for message in mail.outbox]
    assert len(addresses) == len(set(addresses)) == 2


def test_the_task_groups_a_batch_by_address_and_skips_kids_profiles__R_EM_3(ads_account):
    ids = [str(profile.pk) for profile in ads_account.profiles.all()]
    sent = send_marketing_emails.call(profile_ids=ids, category=Choice.EMAIL_NEW_ARRIVALS, subject="New", body="New")
    assert sent == 1
    assert "for Alex and Sam." in mail.outbox[0].body


def test_kids_profiles_have_no_marketing_email_by_one_rule__R_EM_3(ads_account):
    """R-EM-3: one rule (policy.marketing_email_offered) for the sender, the eligibility API and the pages."""
    kids = selectors.profile_facts(profile=profile_named(ads_account, "Kids"), account=ads_account)
    alex = selectors.profile_facts(profile=profile_named(ads_account, "Alex"), account=ads_account)
    assert policy.marketing_email_offered(kids) is False
    assert policy.marketing_email_offered(alex) is True
    for category in email.marketing_categories():
        assert policy.marketing_email_allowed(kids, category) is False
        assert policy.eligibility(kids, has_phone=False)[category] is False
    assert [spec.key for spec in policy.choices_on_page(kids, Page.EMAILS)] == [Choice.EMAIL_SERVICE]


def test_command_refuses_service_email_and_unknown_categories():
    for category in (Choice.EMAIL_SERVICE, Choice.MIC, "spam"):
        with pytest.raises(CommandError):
            call_command("send_marketing_email", "--category", category)


@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True)  # the worker closes its database connection between tasks
def test_through_the_database_backend_and_its_worker_an_opt_out_after_enqueue_means_no_message__R_EM_1(ads_account):
    call_command("send_marketing_email", "--category", Choice.EMAIL_SURVEYS, stdout=StringIO())
    assert mail.outbox == [], "queued, not sent"
    services.profile_set_choices(
        profile=profile_named(ads_account, "Alex"), values={Choice.EMAIL_SURVEYS: False}, actor=actor()
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO(), stderr=StringIO())
    assert [m.body.split(" email for ")[1].split(".")[0] for m in mail.outbox] == ["Sam"], "Kids gets none"


def test_marketing_texts_honour_the_categories_and_need_a_number__R_SMS_1_R_SMS_2(ads_account, sms_outbox):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    off = AccountFactory(phone="+14155550124")
    services.choices_set(account=off, values={Choice.SMS_OFFERS: False}, actor=actor())
    gone = AccountFactory(phone="+14155550125")
    phone_delete(account=gone, acting_user=gone)
    no_phone = AccountFactory()

    ids = [ads_account.pk, off.pk, gone.pk, no_phone.pk]
    send_marketing_texts.enqueue(account_ids=ids, category=Choice.SMS_OFFERS, body="Offer")

    assert [message.to for message in sms_outbox] == ["+14155550123"]


def test_the_email_task_skips_a_profile_that_opted_out_after_it_was_queued__R_EM_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.EMAIL_NEW_ARRIVALS: False}, actor=actor())
    sent = send_marketing_emails.call(
        profile_ids=[str(sam.pk), str(profile_named(ads_account, "Alex").pk)],
        category=Choice.EMAIL_NEW_ARRIVALS,
        subject="New",
        body="New titles",
    )
    assert sent == 1
    assert len(mail.outbox) == 1


def test_an_opt_out_between_enqueue_and_send_means_no_message__R_EM_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    queued = {"profile_id": sam.pk, "category": Choice.EMAIL_SURVEYS, "subject": "Tell us", "body": "..."}
    services.profile_set_choices(profile=sam, values={Choice.EMAIL_SURVEYS: False}, actor=actor())
    assert email.marketing_email_send(**queued) is False
    assert mail.outbox == []


def test_a_profile_deleted_while_its_batch_is_read_does_not_fail_the_batch__R_EM_1(ads_account, monkeypatch):
    """The email task reads the facts and then the profiles in a second query: a profile deleted in between is
    skipped, and every other profile of the batch still gets its message."""
    sam, alex = profile_named(ads_account, "Sam"), profile_named(ads_account, "Alex")
    read_facts = selectors.facts_by_profile_id

    def facts_then_sam_is_deleted(profile_ids):
        facts = read_facts(profile_ids)
        sam.delete()
        return facts

    monkeypatch.setattr(selectors, "facts_by_profile_id", facts_then_sam_is_deleted)
    sent = send_marketing_emails.call(
        profile_ids=[str(sam.pk), str(alex.pk)], category=Choice.EMAIL_NEW_ARRIVALS, subject="New", body="New"
    )
    assert sent == 1
    assert len(mail.outbox) == 1


def test_queued_marketing_email_is_sent_by_a_db_worker_process(tmp_path):
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        DJANGO_DEBUG="false",
    )

    def manage(*args: str) -> str:
        return run([sys.executable, str(settings.BASE_DIR / "manage.py"), *args], cwd=settings.BASE_DIR, env=env)

    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    queued = manage("send_marketing_email", "--category", "email_offers", "--no-progress")
    assert "Queued" in queued
    sent = manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert sent.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") >= 1
    assert "Subject: News from Privacy Center" in sent


@pytest.mark.parametrize(
    ("member", "sender", "footer"),
    [
        ("es", "en", "Recibes este correo de Ofertas y noticias para Alex y Sam. Cancela la suscripción de todos"),
        ("en", "es", "You get this as Offers and news email for Alex and Sam. Unsubscribe all of them"),
    ],
)
def test_a_campaign_reaches_each_address_in_its_members_language_whatever_the_senders__R_I18N_1_R_EM_3(
    ads_account, member, sender, footer
):
    """R-I18N-1: the message is written in the account's language (kept on sign-in and by the chooser), not the
    one active where the campaign is sent; its one-click link and headers are the same in every language."""
    ads_account.language = member
    ads_account.save(update_fields=["language"])
    with translation.override(sender):
        call_command("send_marketing_email", "--category", Choice.EMAIL_OFFERS, stdout=StringIO())
    (message,) = mail.outbox
    assert footer in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert f"{'con un clic' if member == 'es' else 'in one click'}: {link}\n" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_task_run_by_a_worker_writes_in_the_members_language__R_I18N_1_R_EM_1(ads_account):
    """R-I18N-1: a worker has no request; the account's language decides, one profile's email too."""
    ads_account.language = "es"
    ads_account.save(update_fields=["language"])
    sam = profile_named(ads_account, "Sam")
    assert email.marketing_email_send(profile_id=sam.pk, category=Choice.EMAIL_SURVEYS, subject="S", body="B")
    (message,) = mail.outbox
    assert "Recibes este correo de Encuestas para Sam. Cancela la suscripción con un clic: " in message.body
