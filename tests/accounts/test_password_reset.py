"""Password reset by email (Django's views) and by text message (R-SMS-1, R-SMS-2)."""

import re
import uuid
from datetime import timedelta
from functools import partial
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import reset
from accounts.models import Account, PasswordResetCode, PhoneNumber
from common.sms import backends
from consent import services
from consent.choices import Choice
from tests.conftest import actor
from tests.factories import PASSWORD, AccountFactory
from tests.servers import at_once

pytestmark = pytest.mark.django_db
NEW = "a-new-long-passphrase-42"


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def member(db):
    account = AccountFactory(email="texts@example.com", phone="+14155550123")
    for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS):  # every text category off
        services.choices_set(account=account, values={key: False}, actor=actor())
    return account


def page(response) -> str:
    """The page without its per-request CSRF tokens, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def ask(client, email="texts@example.com", number="+14155550123"):
    return client.post(reverse("password_reset_text"), {"email": email, "number": number}, follow=True)


def sent_code():
    [message] = backends.outbox
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def enter(client, code, password=NEW):
    return client.post(
        reverse("password_reset_text_code"), {"code": code, "new_password1": password, "new_password2": password}
    )


def test_reset_by_email_uses_djangos_views_and_never_tells_whether_an_account_exists(member):
    known = Client().post(reverse("password_reset"), {"email": "texts@example.com"}, follow=True)
    unknown = Client().post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert page(known) == page(unknown)
    [message] = mail.outbox
    link = re.findall(r"http://\S+", message.body)[0]
    client = Client()
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "Your password was changed." in response.content.decode()
    assert Account.objects.get(pk=member.pk).check_password(NEW)


def test_login_page_offers_both_resets():
    html = Client().get(reverse("password_reset")).content.decode()
    assert reverse("password_reset_text") in html
    assert reverse("password_reset") in Client().get(reverse("login")).content.decode()


def test_code_is_sent_even_with_every_text_category_off_and_resets_the_password__R_SMS_1(member):
    client = Client()
    response = ask(client)
    assert "If the email address and phone number belong to an account" in response.content.decode()
    code = sent_code()
    assert backends.outbox[0].to == "+14155550123"
    stored = PasswordResetCode.objects.get(account=member)
    assert code not in stored.code_hash, "stored hashed"
    assert enter(client, code).status_code == HTTPStatus.FOUND
    assert Account.objects.get(pk=member.pk).check_password(NEW)
    assert not PasswordResetCode.objects.exists(), "a code works once"


def test_the_answer_is_the_same_for_unknown_address_wrong_number_and_no_phone__R_SMS_2(member):
    AccountFactory(email="nophone@example.com")
    answers = {
        page(ask(Client(), **kwargs))
        for kwargs in (
            {},
            {"email": "nobody@example.com"},
            {"number": "+14155550999"},
            {"email": "nophone@example.com"},
        )
    }
    assert len(answers) == 1
    assert len(backends.outbox) == 1, "only the matching account gets a text"


def test_after_the_phone_is_deleted_no_reset_text_is_sent__R_SMS_2(member):
    client = Client()
    ask(client)
    code = sent_code()
    from accounts.services import phone_delete

    phone_delete(account=member, acting_user=member)
    backends.outbox.clear()
    ask(Client())
    assert backends.outbox == []
    assert enter(client, code).status_code == HTTPStatus.BAD_REQUEST, "a code sent before stops working"


def test_wrong_codes_use_up_the_five_tries(member):
    client = Client()
    ask(client)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert enter(client, wrong).status_code == HTTPStatus.BAD_REQUEST
    response = enter(client, code)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "tried too often" in response.content.decode()
    assert Account.objects.get(pk=member.pk).check_password(PASSWORD)


def test_an_expired_code_does_not_work(member):
    client = Client()
    ask(client)
    code = sent_code()
    PasswordResetCode.objects.update(created_at=timezone.now() - timedelta(minutes=10, seconds=1))
    assert enter(client, code).status_code == HTTPStatus.BAD_REQUEST
    assert Account.objects.get(pk=member.pk).check_password(PASSWORD)


def test_a_tampered_session_id_or_malformed_code_changes_nothing(member):
    client = Client()
    ask(client)
    session = client.session
    session["reset_text"] = "not-a-uuid"
    session.save()
    for code in (sent_code(), "12345", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16", ""):
        assert enter(client, code).status_code == HTTPStatus.BAD_REQUEST
    assert Account.objects.get(pk=member.pk).check_password(PASSWORD)


def test_asking_is_throttled_per_number_and_per_address(member):
    for _ in range(3):
        assert ask(Client()).status_code == HTTPStatus.OK
    assert ask(Client()).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert ask(Client(), email="other@example.com").status_code == HTTPStatus.TOO_MANY_REQUESTS, "per number"
    assert ask(Client(), number="+14155550999").status_code == HTTPStatus.TOO_MANY_REQUESTS, "per address"
    assert len(backends.outbox) == 3


def test_code_page_without_asking_first_goes_back():
    assert Client().get(reverse("password_reset_text_code")).status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    "number",
    ["12ab", "+1415555012345678901234", "", "+\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff12\uff13"],
)
def test_malformed_numbers_on_the_reset_form_are_form_errors(member, number):
    response = Client().post(reverse("password_reset_text"), {"email": "texts@example.com", "number": number})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert backends.outbox == []
    assert PhoneNumber.objects.filter(account=member).exists()


def test_reset_by_email_sends_at_most_a_few_links_an_hour_to_one_address_whatever_its_spelling(member):
    client = Client()
    email = "texts@example.com"
    spellings = [email, email.upper(), f"  {email}", email, email]
    answers = {client.post(reverse("password_reset"), {"email": spelling}).status_code for spelling in spellings}
    assert answers == {HTTPStatus.FOUND}, "the page answers the same whether or not a link went out"
    assert len(mail.outbox) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_codes_sent_for_one_account_at_once_are_all_texted_and_the_last_one_is_the_pending_one():
    """Two workers (or two app servers running tasks themselves) may send codes for one account at the same moment:
    each is texted, none fails on the one-pending-code-per-account constraint, and one code is left pending."""
    account = AccountFactory(email="texts@example.com", phone="+14155550123")
    reset_ids = [str(uuid.uuid4()) for _ in range(8)]

    def send(reset_id: str) -> bool:
        try:
            return reset.send_reset_code.call(account_id=account.pk, reset_id=reset_id)
        finally:
            connection.close()

    assert at_once([partial(send, reset_id) for reset_id in reset_ids]) == [True] * len(reset_ids)
    assert len(backends.outbox) == len(reset_ids)
    [pending] = PasswordResetCode.objects.filter(account=account).values_list("id", flat=True)
    assert str(pending) in reset_ids
