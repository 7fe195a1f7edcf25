"""Password reset by email (Django's views, a plain-text email) and by text message (R-SMS-1, R-SMS-2): the
answer never tells whether an account exists, a code works once, within its time and tries, and only for the
number it was sent to."""

import copy
import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import reset
from accounts import services as account_services
from accounts.models import Account, PasswordResetCode, PhoneNumber
from common.sms import backends
from consent import services
from consent.choices import Choice
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import actor, at_once, description, reads_in, sent_code

pytestmark = pytest.mark.django_db
REQUESTER = reset.Requester(address="192.0.2.1")
NEW = "a-new-long-passphrase-42"


@pytest.fixture
def member(db, sms_outbox):
    account = AccountFactory(email="texts@example.com", phone="+14155550123")
    for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS):  # every text category off
        services.choices_set(account=account, values={key: False}, actor=actor())
    return account


def page(response) -> str:
    """The page without its per-request CSRF tokens, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def ask(client, email="texts@example.com", number="+14155550123", **headers):
    return client.post(reverse("password_reset_text"), {"email": email, "number": number}, follow=True, **headers)


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


@pytest.mark.time_machine(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    ("after", "works"), [(timedelta(minutes=9, seconds=59), True), (timedelta(minutes=10, seconds=1), False)]
)
def test_a_code_works_for_10_minutes(member, time_machine, after, works):
    client = Client()
    ask(client)
    code = sent_code()
    time_machine.shift(after)
    response = enter(client, code)
    assert response.status_code == (HTTPStatus.FOUND if works else HTTPStatus.BAD_REQUEST)
    assert Account.objects.get(pk=member.pk).check_password(NEW if works else PASSWORD)


def test_a_tampered_session_id_or_malformed_code_changes_nothing(member):
    client = Client()
    ask(client)
    session = client.session
    session["reset_text"] = "not-a-uuid"
    session.save()
    for code in (sent_code(), "12345", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16", ""):
        assert enter(client, code).status_code == HTTPStatus.BAD_REQUEST
    assert Account.objects.get(pk=member.pk).check_password(PASSWORD)


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef"])
@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Enter the 6 digits from the text message."), ("es", "Ingresa los 6 dígitos del mensaje de texto.")],
)
def test_a_code_of_the_wrong_length_or_digits_is_asked_for_again_in_the_same_words(member, code, language, message):
    """R-I18N-1: too short, too long or not digits, the member reads one sentence saying what to type, not a
    generic length rule."""
    client = Client()
    ask(client)
    response = client.post(
        reverse("password_reset_text_code"),
        {"code": code, "new_password1": NEW, "new_password2": NEW},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert description(response.text, "code") == message
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


def test_the_reset_email_is_plain_text_and_its_link_leads_to_the_new_password_form(client):
    AccountFactory(email="o'neil@example.com")
    response = client.post(reverse("password_reset"), {"email": "o'neil@example.com"})
    assert response.status_code == HTTPStatus.FOUND
    [message] = mail.outbox
    assert message.subject == "Reset your Privacy Center password"
    assert message.alternatives == [], "no HTML part"
    assert "the password of your Privacy Center account o'neil@example.com." in message.body, "not HTML-escaped"
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)\n", message.body)
    assert link is not None
    html = client.get(link[1], follow=True).content.decode()
    assert "Choose a new password" in html
    # Django's help text for the new password is safe HTML: a list, not escaped markup.
    assert "<li>Your password must contain at least 8 characters.</li>" in html
    # The second field is named as on the reset by text, without a help text repeating its label.
    assert ">New password again</label>" in html
    assert "Enter the same password as before" not in html


def test_every_error_of_a_refused_new_password_is_read_with_its_field(client):
    """A password several validators refuse: the field's description (aria-describedby) holds every reason, once."""
    AccountFactory(email="weak@example.com")
    client.post(reverse("password_reset"), {"email": "weak@example.com"})
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)\n", mail.outbox[0].body)
    form_page = client.get(link[1], follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "1234", "new_password2": "1234"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    reasons = description(html, "new_password2")
    for reason in ("This password is too short.", "This password is too common.", "entirely numeric."):
        assert reasons.count(reason) == 1, reasons
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "every id on the page is unique"


def test_wrong_codes_sent_at_once_cannot_exceed_five_tries(member, monkeypatch):
    """The tries are counted on the row as locked, not as read: requests that all read the row before any wrong
    guess was counted still get five guesses between them. Reproduced without threads: every check reads the
    row as it was before the first wrong guess."""
    reset_id = reset.reset_text_request(email="texts@example.com", number="+14155550123", requester=REQUESTER)
    code = sent_code()
    before_any_guess = PasswordResetCode.objects.get(pk=reset_id)
    real = PasswordResetCode.objects

    class ReadBeforeAnyGuess:
        def select_related(self, *args):
            return self

        def filter(self, *args, **kwargs):
            return self

        def first(self):
            return copy.copy(before_any_guess)

    class Objects:
        def select_related(self, *args):
            return ReadBeforeAnyGuess()

        def filter(self, *args, **kwargs):
            return real.filter(*args, **kwargs)

    monkeypatch.setattr(PasswordResetCode, "objects", Objects())
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(reset.InvalidCode):
            reset.reset_text_check(reset_id=str(reset_id), code=wrong, requester=REQUESTER)
    with pytest.raises(reset.InvalidCode):  # the sixth guess, even the right one, is one too many
        reset.reset_text_complete(reset_id=str(reset_id), code=code, password=NEW, requester=REQUESTER)
    monkeypatch.undo()
    assert not Account.objects.get(pk=member.pk).check_password(NEW)


def test_a_code_sent_to_the_old_number_stops_working_when_the_number_changes__R_SMS_2(member):
    """Whoever holds the old number (a lost or recycled phone, the very reason to change it) cannot reset the
    password with a code sent to it before the change (the phone page and the admin both go through phone_set)."""
    reset_id = reset.reset_text_request(email="texts@example.com", number="+14155550123", requester=REQUESTER)
    code = sent_code()
    assert account_services.phone_set(account=member, number="+14155550199") is True
    with pytest.raises(reset.InvalidCode):
        reset.reset_text_complete(reset_id=str(reset_id), code=code, password=NEW, requester=REQUESTER)
    assert not PasswordResetCode.objects.filter(account=member).exists()


# Whatever is posted to the code form, the answer is the page or a redirect, never a 500.

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
codes = st.one_of(
    any_text,
    st.from_regex(r"[0-9]{0,8}", fullmatch=True),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=6, max_size=6),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    email=st.one_of(st.just("texts@example.com"), st.emails(), any_text),
    number=st.one_of(st.just("+14155550123"), st.from_regex(r"\+?[0-9 ()\-.]{0,25}", fullmatch=True), any_text),
)
def test_the_reset_by_text_form_never_answers_a_server_error_nor_tells_who_has_an_account__R_SMS_2(
    member, sms_outbox, email, number
):
    cache.clear()  # each example starts below the hourly limits
    sms_outbox.clear()
    response = Client().post(reverse("password_reset_text"), {"email": email, "number": number})
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    if response.status_code == HTTPStatus.FOUND:
        assert response["Location"] == reverse("password_reset_text_code"), "the same answer, whoever asked"
    assert all(message.to == "+14155550123" for message in sms_outbox)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(code=codes, password=any_text, session_id=st.one_of(st.none(), any_text, st.uuids().map(str)))
def test_reset_code_form_never_answers_a_server_error(ads_account, code, password, session_id):
    client = Client()
    if session_id is not None:
        session = client.session
        session["reset_text"] = session_id
        session.save()
    response = client.post(
        reverse("password_reset_text_code"), {"code": code, "new_password1": password, "new_password2": password}
    )
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    ads_account.refresh_from_db()
    assert ads_account.check_password(PASSWORD), "no code was ever sent, so no password changes"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_codes_sent_for_one_account_at_once_are_all_texted_and_the_last_one_is_the_pending_one():
    """Two workers (or two app servers running tasks themselves) may send codes for one account at the same moment:
    each is texted, none fails on the one-pending-code-per-account constraint, and one code is left pending."""
    account = AccountFactory(email="texts@example.com", phone="+14155550123")
    backends.outbox.clear()
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


# Spanish (R-I18N-1) ---------------------------------------------------------------------------------------------


def test_the_reset_pages_are_in_spanish_with_their_errors__R_I18N_1(client):
    """R-I18N-1: both resets' pages, labels, buttons and form errors in the browser's Spanish."""
    by_email = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="es">' in by_email.text
    assert "<h1>Restablece tu contraseña</h1>" in by_email.text
    assert ">Correo electrónico</label>" in by_email.text
    assert "Envíame un enlace</button>" in by_email.text
    assert "Restablecer por mensaje de texto</a>" in by_email.text

    by_text = client.post(
        reverse("password_reset_text"),
        {"email": "no-at-sign", "number": "+1415555012\uff13"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert by_text.status_code == HTTPStatus.BAD_REQUEST
    assert "<h1>Restablece tu contraseña por mensaje de texto</h1>" in by_text.text
    assert "Envíame un código</button>" in by_text.text
    assert "Ingresa un número de teléfono válido con los dígitos del 0 al 9." in description(by_text.text, "number")
    assert "Ingresa una dirección de correo electrónico válida." in description(by_text.text, "email")  # tú

    sent = client.get(reverse("password_reset_done"), HTTP_ACCEPT_LANGUAGE="es")
    assert "<h1>Revisa tu correo electrónico</h1>" in sent.text


def test_the_code_pages_and_their_messages_are_in_spanish__R_I18N_1(member, client):
    """R-I18N-1: the code sent message, the code form, a wrong code and Django's password validators, in Spanish."""
    asked = ask(client, HTTP_ACCEPT_LANGUAGE="es")
    assert "enviamos un código de 6 dígitos a ese teléfono. Es válido por 10 minutos." in asked.text
    assert "<h1>Ingresa tu código</h1>" in asked.text
    assert ">Código de 6 dígitos</label>" in asked.text

    wrong = client.post(
        reverse("password_reset_text_code"),
        {"code": "abcdef", "new_password1": "1234", "new_password2": "12345"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "Ingresa los 6 dígitos del mensaje de texto." in description(wrong.text, "code")
    assert "Las dos contraseñas no coinciden." in description(wrong.text, "new_password2")

    weak = client.post(
        reverse("password_reset_text_code"),
        {"code": sent_code(), "new_password1": "1234", "new_password2": "1234"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "Esta contraseña es demasiado común." in description(weak.text, "new_password1")  # Django's validator

    like_the_email = client.post(
        reverse("password_reset_text_code"),
        {"code": sent_code(), "new_password1": "texts@example.com", "new_password2": "texts@example.com"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    # Django's similarity check names the field: its name is translated too, and the sentence is in tú.
    assert "La contraseña se parece demasiado a tu dirección de correo electrónico." in description(
        like_the_email.text, "new_password1"
    )


def test_the_reset_email_goes_out_in_the_members_language_whatever_the_pages__R_I18N_1(client):
    """R-I18N-1: an account that reads Spanish gets a Spanish reset email though asked for from an English page,
    and one that reads English an English one from a Spanish page."""
    reads_in("es", email="lucia@example.com")
    reads_in("en", email="john@example.com")

    client.post(reverse("password_reset"), {"email": "lucia@example.com"}, HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("password_reset"), {"email": "john@example.com"}, HTTP_ACCEPT_LANGUAGE="es")

    spanish, english = mail.outbox
    assert spanish.subject == "Restablece tu contraseña de Privacy Center"
    assert "Pediste restablecer la contraseña de tu cuenta de Privacy Center lucia@example.com." in spanish.body
    assert "Si no lo pediste, ignora este correo" in spanish.body
    assert english.subject == "Reset your Privacy Center password"
    assert "You asked to reset the password of your Privacy Center account john@example.com." in english.body


def test_a_reset_email_to_an_account_without_a_language_is_in_the_pages__R_I18N_1(client):
    AccountFactory(email="nueva@example.com")

    client.post(reverse("password_reset"), {"email": "nueva@example.com"}, HTTP_ACCEPT_LANGUAGE="es-MX")

    [message] = mail.outbox
    assert message.subject == "Restablece tu contraseña de Privacy Center"


@pytest.mark.parametrize(
    ("account_language", "page_language", "expected"),
    [
        ("es", "en", "Tu código para restablecer la contraseña de Privacy Center es {code}. Es válido por 10 minutos."),
        ("en", "es", "Your Privacy Center password reset code is {code}. It is valid for 10 minutes."),
    ],
)
def test_the_reset_code_text_is_in_the_members_language_whatever_the_pages__R_I18N_1(
    member, client, account_language, page_language, expected
):
    Account.objects.filter(pk=member.pk).update(language=account_language)

    ask(client, HTTP_ACCEPT_LANGUAGE=page_language)

    [message] = backends.outbox
    assert message.body == expected.format(code=sent_code())


def test_the_new_password_pages_of_a_reset_link_are_in_spanish__R_I18N_1(client):
    """R-I18N-1: Django's confirm and complete views draw the project's pages in Spanish, Django's own labels
    and password rules included."""
    reads_in("es", email="lucia@example.com")
    client.post(reverse("password_reset"), {"email": "lucia@example.com"}, HTTP_ACCEPT_LANGUAGE="es")
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)\n", mail.outbox[0].body)
    assert link is not None
    form = client.get(link[1], follow=True, HTTP_ACCEPT_LANGUAGE="es")
    html = form.content.decode()
    assert "<h1>Elige una contraseña nueva</h1>" in html
    assert "Guardar contraseña nueva</button>" in html
    assert "<li>Tu contraseña debe tener al menos 8 caracteres.</li>" in html  # Django's rules, in tú
    assert ">Repite la contraseña nueva</label>" in html
    assert "introduzca" not in html.lower()

    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "<h1>Contraseña cambiada</h1>" in done.content.decode()
    used = client.get(link[1], follow=True, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Este enlace ya no es válido: ya se usó o venció." in used
