"""The phone number (docs/rules.md: Accounts and profiles; R-SMS-2): at most one per account, in E.164, validated;
"Change phone number" and "Delete phone number" both ask for the password again; a deleted number is gone entirely (no
copy on a page, in the consent trail or in the admin's history), and one member's number never reaches another's
page."""

from http import HTTPStatus
from typing import cast

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import PhoneForm
from accounts.models import Account, PhoneNumber
from accounts.selectors import ACCOUNT, SIGNED_IN
from common.templatetags.fragments import unbound_field_key
from consent.choices import Choice, Source
from consent.models import ConsentEvent
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import control, description, events_since, last_event_id, phone_like

pytestmark = pytest.mark.django_db


# Stored --------------------------------------------------------------------------------------------------------


def test_phone_is_stored_in_e164():
    account = AccountFactory(phone="+1 (415) 555-0123")
    assert str(PhoneNumber.objects.get(account=account).number) == "+14155550123"


def test_at_most_one_phone_number_per_account():
    account = AccountFactory(phone="+14155550123")
    with pytest.raises(IntegrityError), transaction.atomic():
        PhoneNumber.objects.create(account=account, number="+14155550124")


def test_malformed_phone_number_is_rejected_by_validation():
    phone = PhoneNumber(account=AccountFactory(), number="12345")
    with pytest.raises(ValidationError):
        phone.full_clean()


# Change phone number -------------------------------------------------------------------------------------------


def test_account_page_offers_to_add_a_phone_when_there_is_none(member_client):
    html = member_client.get(reverse("account")).content.decode()
    assert 'href="/account/phone/">Add a phone number</a>' in html
    assert "Change phone number" not in html
    assert "<h1>Add a phone number</h1>" in member_client.get(reverse("phone")).content.decode()


def test_account_page_offers_to_change_the_one_phone_there_is(member_client, ads_account):
    """One number is the most an account has: with one on file, it is changed, never another added."""
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("account")).content.decode()
    assert 'href="/account/phone/">Change phone number</a>' in html
    assert "Add a phone number" not in html
    assert "Add another" not in html
    assert "<h1>Change phone number</h1>" in member_client.get(reverse("phone")).content.decode()


def test_change_phone_number_stores_e164(member_client, ads_account):
    response = member_client.post(
        reverse("phone"), {"action": "change", "number": "+1 (415) 555-0199", "password": PASSWORD}, follow=True
    )
    assert "Your phone number was saved." in response.content.decode()
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550199"
    page = member_client.get(reverse("phone")).content.decode()
    assert "Your phone number is <strong>+1 415-555-0199</strong>." in page
    assert control(page, "number")["value"] == "+14155550199", "the form starts from the stored number"


@pytest.mark.parametrize("password", ["", "wrong-password", PASSWORD.upper()])
def test_changing_the_number_asks_for_the_password_again__R_SMS_2(member_client, ads_account, password):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    response = member_client.post(
        reverse("phone"), {"action": "change", "number": "+14155550199", "password": password}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert control(response.content.decode(), "password")["type"] == "password"
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550123"


@pytest.mark.parametrize(
    "number",
    [
        "12ab",  # letters
        "+1415555012345678901234",  # too long
        "+999 123",  # no such region
        "020 7946 0958",  # a UK number without its country code reads as a (wrong) US one
        "+\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff19\uff19",  # fullwidth (unicode) digits
        "+1415\u0665\u0665\u06650199",  # Arabic-Indic digits mixed in
        "",  # empty
        "   ",
    ],
)
def test_malformed_phone_number_gets_a_form_error_and_changes_nothing(member_client, ads_account, number):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    mark = last_event_id()
    response = member_client.post(reverse("phone"), {"action": "change", "number": number, "password": PASSWORD})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert control(response.content.decode(), "number")["aria-invalid"] == "true"
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550123"
    assert events_since(mark) == []


@pytest.mark.parametrize("number", ["12ab", "020 7946 0958", "+999 123"])
def test_an_invalid_number_is_answered_with_the_help_texts_example(member_client, number):
    """The error says what to type in the words of the help text (the country code, +1 415 555 0123), not with
    the library's national example "(201) 555-0123"."""
    response = member_client.post(reverse("phone"), {"action": "change", "number": number, "password": PASSWORD})

    assert description(response.content.decode(), "number").endswith(
        " Enter a valid phone number with the country code, for example +1 415 555 0123."
    )


@pytest.mark.parametrize("number", ["+1 415 555 0123 ext. 12", "+14155550123;ext=5", "+1 415 555 0123 x7"])
def test_phone_numbers_with_an_extension_are_refused_not_truncated(member_client, ads_account, number):
    response = member_client.post(reverse("phone"), {"action": "change", "number": number})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "without an extension" in description(response.content.decode(), "number")
    assert not PhoneNumber.objects.filter(account=ads_account).exists()


def test_errors_of_a_post_are_shown_escaped_and_the_next_get_is_clean_again(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    bad = member_client.post(reverse("phone"), {"action": "change", "number": '"><script>x', "password": "no"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    html = bad.content.decode()
    assert control(html, "number")["value"] == '"><script>x', "the posted text is drawn back, escaped"
    assert "<script>x" not in html
    assert control(html, "password")["aria-invalid"] == "true"
    assert "That password is not right." in description(html, "password")
    wrong = member_client.post(reverse("phone"), {"action": "delete", "password": "no"})
    assert wrong.status_code == HTTPStatus.BAD_REQUEST
    assert "That password is not right." in description(wrong.content.decode(), "password")
    again = member_client.get(reverse("phone")).content.decode()
    assert "aria-invalid" not in again
    assert "That password is not right." not in again
    assert "script" not in again
    assert control(again, "number")["value"] == "+14155550123"


def test_an_unknown_action_re_renders_the_page_with_a_message(member_client, ads_account):
    response = member_client.post(reverse("phone"), {"action": "explode"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
    assert "That request was not understood" in response.content.decode()


# Delete phone number -------------------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_and_the_password_then_removes_the_number__R_SMS_2(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    other = AccountFactory(phone="+14155550123")  # the same number on another account stays there
    mark = last_event_id()

    confirm = member_client.get(reverse("phone") + "?delete")
    assert "Delete +1 415-555-0123?" in confirm.content.decode()
    assert control(confirm.content.decode(), "password")["type"] == "password"

    refused = member_client.post(reverse("phone"), {"action": "delete", "password": "nope"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert PhoneNumber.objects.filter(account=ads_account).exists()
    assert events_since(mark) == []

    response = member_client.post(reverse("phone"), {"action": "delete", "password": PASSWORD}, follow=True)

    html = response.content.decode()
    assert "Your phone number was deleted." in html
    assert "555-0123" not in html
    assert "Text message preferences" not in html
    assert not PhoneNumber.objects.filter(account=ads_account).exists()
    assert PhoneNumber.objects.filter(account=other).exists()
    # The trail records that it happened, never the number.
    assert events_since(mark) == [(None, Choice.PHONE_ON_FILE, True, False, Source.MEMBER, ads_account.email)]
    event = ConsentEvent.objects.get(choice=Choice.PHONE_ON_FILE)
    assert "5550123" not in repr(ConsentEvent.objects.filter(pk=event.pk).values().get())


@pytest.mark.parametrize("url", ["phone", "account"])
def test_a_deleted_number_never_appears_on_the_members_pages_afterwards__R_SMS_2(member_client, ads_account, url):
    number = "+14155550142"
    PhoneNumber.objects.create(account=ads_account, number=number)
    assert "555-0142" in member_client.get(reverse(url)).content.decode()
    response = member_client.post(reverse("phone"), {"action": "delete", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    for page in (reverse(url), reverse(url), reverse("phone") + "?delete"):
        html = member_client.get(page).content.decode()
        assert "0142" not in html, page
    assert "value" not in control(member_client.get(reverse("phone")).content.decode(), "number")


@pytest.mark.django_db(transaction=True)
def test_a_deleted_number_leaves_no_copy_in_the_shared_cache__R_SMS_2(client):
    """The signed-in account is kept in the shared cache with its phone (accounts.backends); deleting the number
    deletes that copy, not only stops it being read."""
    account = AccountFactory()
    PhoneNumber.objects.create(account=account, number="+14155550142")
    client.force_login(account)
    assert "555-0142" in client.get(reverse("phone")).content.decode()
    key = f"{SIGNED_IN}:{ACCOUNT}:{account.pk}"
    assert "0142" in repr(cache.get(key)[1].phone.number)
    response = client.post(reverse("phone"), {"action": "delete", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert cache.get(key) is None
    assert "0142" not in client.get(reverse("phone")).content.decode()


def test_deleting_without_a_number_does_nothing(member_client, ads_account):
    mark = last_event_id()
    response = member_client.post(reverse("phone"), {"action": "delete", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert events_since(mark) == []


def test_one_members_number_never_reaches_another_members_phone_page(client):
    alice, bob, carol = AccountFactory(), AccountFactory(), AccountFactory()
    PhoneNumber.objects.create(account=alice, number="+14155550111")
    PhoneNumber.objects.create(account=bob, number="+442071838750")
    pages = {}
    for account in (alice, bob, carol, alice, bob, carol):
        client.force_login(account)
        pages[account.email] = client.get(reverse("phone")).content.decode()
    assert control(pages[alice.email], "number")["value"] == "+14155550111"
    assert control(pages[bob.email], "number")["value"] == "+442071838750"
    assert "value" not in control(pages[carol.email], "number")
    for page, others in (
        (pages[alice.email], ["+442071838750", "2071838750"]),
        (pages[bob.email], ["+14155550111", "4155550111"]),
        (pages[carol.email], ["+14155550111", "+442071838750", "4155550111", "2071838750"]),
    ):
        for other in others:
            assert other not in page


def test_only_the_password_field_is_kept_in_the_cache_never_the_members_number__R_SMS_2(client):
    """The phone page keeps the password field's markup, the same for everyone, as a template fragment
    (common.templatetags.fragments); the number field holds the member's own number and is drawn each time."""
    account = AccountFactory()
    PhoneNumber.objects.create(account=account, number="+14155550142")
    client.force_login(account)
    page = client.get(reverse("phone")).content.decode()
    assert control(page, "number")["value"] == "+14155550142"
    form = PhoneForm(account=account, initial={"number": account.phone.number})
    kept = cache.get(make_template_fragment_key("field", [unbound_field_key(form["password"])]))
    assert 'name="password"' in kept
    assert kept in page
    assert "0142" not in kept
    assert unbound_field_key(PhoneForm({"number": "x"}, account=account)["password"]) == ""


# In the admin ----------------------------------------------------------------------------------------------------


def admin_phone_form(member: Account, **phone: str) -> dict[str, str]:
    return {
        "email": member.email,
        "plan": member.plan,
        "region": member.region,
        "is_active": "on",
        "profiles-TOTAL_FORMS": "0",
        "profiles-INITIAL_FORMS": "0",
        "phone-TOTAL_FORMS": "1",
        **phone,
    }


def test_the_admin_refuses_a_phone_with_an_extension_not_truncates_it(client, staff):
    member = cast(Account, AccountFactory(email="ext@example.com"))
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_account_change", args=[member.pk]),
        admin_phone_form(member, **{"phone-INITIAL_FORMS": "0", "phone-0-number": "+14155550123 ext. 55"}),
    )
    assert response.status_code == HTTPStatus.OK
    assert "extension" in response.content.decode()
    assert not PhoneNumber.objects.filter(account=member).exists()


def test_deleting_a_phone_in_the_admin_keeps_no_copy_of_the_number_in_the_admin_log__R_SMS_2(client, staff):
    member = AccountFactory(email="phone@example.com")
    client.force_login(staff)
    change = reverse("admin:accounts_account_change", args=[member.pk])
    added = client.post(
        change, admin_phone_form(member, **{"phone-INITIAL_FORMS": "0", "phone-0-number": "+14155550123"})
    )
    assert added.status_code == HTTPStatus.FOUND
    phone = PhoneNumber.objects.get(account=member)
    existing = {"phone-INITIAL_FORMS": "1", "phone-0-id": str(phone.pk), "phone-0-account": str(member.pk)}
    changed = client.post(change, admin_phone_form(member, **existing, **{"phone-0-number": "+14155550199"}))
    assert changed.status_code == HTTPStatus.FOUND
    deleted = client.post(
        change,
        admin_phone_form(member, **existing, **{"phone-0-number": "+14155550199", "phone-0-DELETE": "on"}),
    )
    assert deleted.status_code == HTTPStatus.FOUND
    assert not PhoneNumber.objects.filter(account=member).exists()
    # The consent trail says that staff deleted it, not what it was.
    assert list(
        ConsentEvent.objects.filter(account=member, choice=Choice.PHONE_ON_FILE).values_list(
            "profile", "old_value", "new_value", "source", "acting_user", "context"
        )
    ) == [(None, True, False, Source.ADMIN, staff.pk, {})]
    event = ConsentEvent.objects.filter(account=member, choice=Choice.PHONE_ON_FILE).values().get()
    assert "555" not in repr(event)

    entries = list(LogEntry.objects.values_list("object_repr", "change_message"))
    assert len(entries) == 3
    for digits in ("4155550123", "4155550199", "415"):
        assert not any(digits in repr_ + message for repr_, message in entries), entries
    history = client.get(reverse("admin:accounts_account_history", args=[member.pk])).content.decode()
    assert "555" not in history


# Whatever is posted, the answer is the page or a redirect, never a 500, and nothing changes unless valid ---------

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(number=phone_like, password=st.one_of(st.just(PASSWORD), any_text), action=st.sampled_from(["change", "x"]))
def test_phone_form_never_answers_a_server_error(ads_account, number, password, action):
    PhoneNumber.objects.update_or_create(account=ads_account, defaults={"number": "+14155550123"})
    client = Client()
    client.force_login(ads_account)
    response = client.post(reverse("phone"), {"action": action, "number": number, "password": password})
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    stored = str(PhoneNumber.objects.get(account=ads_account).number)
    if response.status_code == HTTPStatus.BAD_REQUEST:
        assert stored == "+14155550123", "an invalid form changes nothing"
    else:
        assert stored.startswith("+")
        assert stored[1:].isascii()
        assert stored[1:].isdigit()


# Spanish (R-I18N-1) ---------------------------------------------------------------------------------------------

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_the_phone_page_its_validation_and_its_messages_are_in_spanish__R_I18N_1(member_client, ads_account):
    added = member_client.get(reverse("phone"), **ES).content.decode()
    assert '<html lang="es">' in added
    assert "<h1>Agregar un número de teléfono</h1>" in added
    assert ">Número de teléfono</label>" in added
    assert "Con el código de país, por ejemplo, +1 415 555 0123." in added
    assert "Por tu seguridad, vuelve a ingresar tu contraseña." in added
    assert "Guardar número de teléfono</button>" in added

    def change(number: str, password: str = PASSWORD) -> str:
        data = {"action": "change", "number": number, "password": password}
        return member_client.post(reverse("phone"), data, follow=True, **ES).content.decode()

    assert description(change("12ab"), "number").endswith(
        " Ingresa un número de teléfono válido con el código de país, por ejemplo, +1 415 555 0123."
    )
    assert "Ingresa un número sin extensión" in description(change("+1 415 555 0123 x7"), "number")
    assert "La contraseña no es correcta. No se cambió nada." in description(change("+14155550123", "no"), "password")
    assert "Se guardó tu número de teléfono." in change("+14155550123")
    assert "Ese ya es tu número." in change("+14155550123")

    page = member_client.get(reverse("phone"), **ES).content.decode()
    assert "<h1>Cambiar número de teléfono</h1>" in page
    assert "Tu número de teléfono es <strong>+1 415-555-0123</strong>." in page
    confirm = member_client.get(reverse("phone") + "?delete", **ES).content.decode()
    assert "¿Eliminar +1 415-555-0123?" in confirm
    deleted = member_client.post(reverse("phone"), {"action": "delete", "password": PASSWORD}, follow=True, **ES)
    assert "Se eliminó tu número de teléfono. No te enviaremos ningún mensaje de texto." in deleted.content.decode()
    unknown = member_client.post(reverse("phone"), {"action": "explode"}, **ES)
    assert "No entendimos esa solicitud, así que no se cambió nada." in unknown.content.decode()


def test_the_shared_password_field_is_drawn_in_each_language__R_I18N_1(member_client):
    """The password field's fragment is cached for everyone: a Spanish page never gets the English one."""
    member_client.get(reverse("phone"), HTTP_ACCEPT_LANGUAGE="en")
    spanish = member_client.get(reverse("phone"), **ES).content.decode()
    assert ">Contraseña</label>" in spanish
    assert ">Password</label>" not in spanish
