"""Profiles (docs/rules.md, Accounts and profiles): 1 to 5 per account, exactly one primary profile (never a kids one),
opaque ids, and names that are visible text: the member's form, the admin and the service refuse control and invisible
characters and store the name normalised."""

import unicodedata
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as accounts_services
from accounts.models import MAX_PROFILES, Profile
from accounts.services import ProfileLimitReached, account_create, profile_create
from consent.choices import Choice
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import control, description, profile_named, values_of

pytestmark = pytest.mark.django_db


# Adding a profile ------------------------------------------------------------------------------------------------


def test_add_profile_starts_with_choices_on__R_PDS_7(member_client, ads_account):
    response = member_client.post(reverse("profile_add"), {"name": "Robin"}, follow=True)
    assert "Added Robin." in response.content.decode()
    robin = profile_named(ads_account, "Robin")
    assert robin.is_kids is False
    assert values_of(robin).items() >= {Choice.MIC: True, Choice.BA: True, Choice.ALL_PROFILES_OPT_OUT: False}.items()


def test_add_profile_answers_head_and_refuses_a_sixth_profile_drawing_the_posted_name_back(member_client, ads_account):
    assert member_client.head(reverse("profile_add")).status_code == HTTPStatus.OK
    for name in ("Four", "Five"):
        assert member_client.post(reverse("profile_add"), {"name": name}).status_code == HTTPStatus.FOUND
    over = member_client.post(reverse("profile_add"), {"name": "Six", "is_kids": "on"})
    assert over.status_code == HTTPStatus.BAD_REQUEST
    html = over.content.decode()
    assert f"An account can have at most {MAX_PROFILES} profiles." in html
    assert control(html, "name")["value"] == "Six", "the posted name is drawn back"
    assert ads_account.profiles.count() == MAX_PROFILES


def test_an_account_whose_primary_profile_is_gone_gets_a_primary_profile_back_never_a_kids_one(client):
    lone = AccountFactory()
    Profile.objects.filter(account=lone).delete()
    client.force_login(lone)
    assert client.post(reverse("profile_add"), {"name": "Kid", "is_kids": "on"}).status_code == HTTPStatus.FOUND
    assert list(lone.profiles.values_list("is_primary", "is_kids")) == [(True, False)]


def test_add_profile_needs_a_name(member_client, ads_account):
    response = member_client.post(reverse("profile_add"), {"name": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert ads_account.profiles.count() == 3


def test_an_empty_post_to_add_profile_asks_for_a_name_and_adds_nothing(member_client, ads_account):
    response = member_client.post(reverse("profile_add"), {})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This field is required." in description(response.content.decode(), "name")
    assert ads_account.profiles.count() == 3


# Invariants the database keeps -----------------------------------------------------------------------------------


def test_an_account_is_created_with_exactly_one_primary_profile():
    account = AccountFactory(primary_profile_name="Alex")
    ProfileFactory(account=account)
    assert list(account.profiles.filter(is_primary=True).values_list("name", flat=True)) == ["Alex"]


def test_profile_ids_are_opaque_uuids():
    profile = AccountFactory().profiles.get()
    assert len(str(profile.pk)) == 36


def test_at_most_five_profiles_per_account():
    account = AccountFactory()
    for _ in range(4):
        ProfileFactory(account=account)
    with pytest.raises(ProfileLimitReached):
        ProfileFactory(account=account)
    assert account.profiles.count() == 5


def test_database_refuses_a_sixth_profile_slot():
    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(account=account, slot=6, name="Sixth")


def test_database_refuses_a_kids_primary_profile():
    primary = AccountFactory().profiles.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=primary.pk).update(is_kids=True)


def test_the_primary_profile_is_never_created_as_kids():
    account = account_create(
        email="k@example.com", password="x-pass-1234", plan="standard", region="US-TX", primary_profile_name="Kid"
    )
    assert not account.profiles.get().is_kids


def test_the_primary_profile_cannot_become_a_kids_profile(ads_account, staff):
    alex = profile_named(ads_account, "Alex")
    with pytest.raises(accounts_services.PrimaryProfileCannotBeKids):
        accounts_services.profile_set_kids(profile=alex, is_kids=True, acting_user=staff)


def test_database_refuses_a_primary_profile_outside_slot_one(ads_account):
    """docs/rules.md, Accounts and profiles, exactly one primary profile: it must sit in slot 1 (a check constraint)
    ..."""
    with pytest.raises(IntegrityError, match="primary_profile_is_slot_1"), transaction.atomic():
        Profile.objects.filter(account=ads_account, name="Sam").update(is_primary=True)


def test_database_refuses_a_second_profile_in_slot_one(ads_account):
    """... and slot 1 holds one profile per account (a unique constraint), so there is never a second primary."""
    unique_slot = "profile_slot_unique_per_account|accounts_profile.account_id, accounts_profile.slot"
    with pytest.raises(IntegrityError, match=unique_slot), transaction.atomic():
        Profile.objects.filter(account=ads_account, name="Sam").update(is_primary=True, slot=1)


# Names -----------------------------------------------------------------------------------------------------------

INVISIBLE_OR_CONTROL_NAMES = {
    "ansi escape": "\x1b[31mRed",
    "newline": "Sam\nAdmin",
    "tab": "Sam\tX",
    "bel": "Sam\x07",
    "del": "Sam\x7f",
    "right-to-left override": "\u202eevil",
    "zero-width only": "\u200b\u200b",
    "bom only": "\ufeff",
    "zero-width joiner inside": "Sa\u200dm",
    "hangul filler only": "\u3164",
    "combining mark only": "\u0301",
    "line separator": "Sam\u2028Bob",
    "spaces only": "   \u3000 ",
}


@pytest.mark.parametrize("name", INVISIBLE_OR_CONTROL_NAMES.values(), ids=INVISIBLE_OR_CONTROL_NAMES.keys())
def test_names_with_control_or_invisible_characters_are_refused_on_the_members_form(member_client, ads_account, name):
    response = member_client.post(reverse("profile_add"), {"name": name})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert ads_account.profiles.count() == 3


@pytest.mark.parametrize("name", INVISIBLE_OR_CONTROL_NAMES.values(), ids=INVISIBLE_OR_CONTROL_NAMES.keys())
def test_names_with_control_or_invisible_characters_are_refused_in_the_admin(client, staff, ads_account, name):
    client.force_login(staff)
    sam = profile_named(ads_account, "Sam")
    response = client.post(reverse("admin:accounts_profile_change", args=[sam.pk]), {"name": name})
    assert response.status_code == HTTPStatus.OK  # the form again, with its error
    assert 'class="errorlist' in response.content.decode()
    assert Profile.objects.get(pk=sam.pk).name == "Sam"


@pytest.mark.parametrize("name", INVISIBLE_OR_CONTROL_NAMES.values(), ids=INVISIBLE_OR_CONTROL_NAMES.keys())
def test_names_with_control_or_invisible_characters_are_refused_by_the_service(ads_account, name):
    with pytest.raises(ValidationError):
        profile_create(account=ads_account, name=name, acting_user=None)
    assert ads_account.profiles.count() == 3


def test_a_name_longer_than_50_characters_is_refused_by_the_service(ads_account):
    with pytest.raises(ValidationError):
        profile_create(account=ads_account, name="x" * 51, acting_user=None)
    assert ads_account.profiles.count() == 3


def test_names_are_stored_nfc_and_trimmed(member_client, ads_account):
    decomposed = "  Ame\u0301lie\u00a0 "  # e + combining acute, no-break space at the end
    response = member_client.post(reverse("profile_add"), {"name": decomposed})
    assert response.status_code == HTTPStatus.FOUND
    assert ads_account.profiles.filter(name="Amélie").exists()


def test_names_keep_letters_of_every_script_and_emoji(ads_account):
    for name in ("Zoë", "محمد", "李雷", "🎬 Movie night", "O'Brien-Smith", "Ω"):
        assert profile_create(account=ads_account, name=name, acting_user=None).name == name
        Profile.objects.filter(account=ads_account, slot__gt=3).delete()


def test_the_admin_account_page_cannot_rename_profiles_so_names_change_only_through_the_validated_form(
    client, staff, ads_account
):
    """The account page lists profiles read-only; a forged inline edit is ignored (the profile's own admin
    page, above, is where a name changes, through the same validation)."""
    client.force_login(staff)
    profiles = list(ads_account.profiles.order_by("slot"))
    data = {
        "email": ads_account.email,
        "plan": ads_account.plan,
        "region": ads_account.region,
        "is_active": "on",
        "profiles-TOTAL_FORMS": str(len(profiles)),
        "profiles-INITIAL_FORMS": str(len(profiles)),
        "phone-TOTAL_FORMS": "0",
        "phone-INITIAL_FORMS": "0",
    }
    for i, profile in enumerate(profiles):
        data |= {f"profiles-{i}-id": str(profile.pk), f"profiles-{i}-account": str(ads_account.pk)}
        data[f"profiles-{i}-name"] = "\u202eevil" if profile.name == "Sam" else profile.name
    response = client.post(reverse("admin:accounts_account_change", args=[ads_account.pk]), data)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    assert profile_named(ads_account, "Sam")
    assert not ads_account.profiles.filter(name__contains="\u202e").exists()


any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
names = st.one_of(
    any_text,
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=10),
    st.builds(lambda a, b: a + b, any_text, st.sampled_from(["\u202e", "\u200b", "\ufeff", "\x1b[31m", "\n"])),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=names)
def test_any_name_is_answered_without_a_server_error_and_only_clean_names_are_stored(member_client, ads_account, name):
    response = member_client.post(reverse("profile_add"), {"name": name})
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    added = list(Profile.objects.filter(account=ads_account, slot__gt=3))
    if response.status_code == HTTPStatus.FOUND:
        (profile,) = added
        stored = profile.name
        assert stored == unicodedata.normalize("NFC", stored) == stored.strip()
        assert 0 < len(stored) <= 50
        assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in stored)
    else:
        assert added == []
    Profile.objects.filter(account=ads_account, slot__gt=3).delete()


def test_add_profile_its_errors_and_its_message_are_in_spanish__R_I18N_1(member_client, ads_account):
    es = {"HTTP_ACCEPT_LANGUAGE": "es"}
    html = member_client.get(reverse("profile_add"), **es).content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Agregar perfil</h1>" in html
    assert ">Nombre</label>" in html
    assert ">Perfil infantil</label>" in html
    assert "Solo títulos para niños y nunca publicidad basada en el comportamiento." in html

    invisible = member_client.post(reverse("profile_add"), {"name": "\u3164"}, **es).content.decode()
    assert "Ingresa un nombre con al menos un carácter visible." in description(invisible, "name")
    added = member_client.post(reverse("profile_add"), {"name": "Abuela"}, follow=True, **es).content.decode()
    assert "Se agregó Abuela." in added

    member_client.post(reverse("profile_add"), {"name": "Tío"}, **es)
    full = member_client.post(reverse("profile_add"), {"name": "Sexto"}, **es)
    assert full.status_code == HTTPStatus.BAD_REQUEST
    assert "Una cuenta puede tener como máximo 5 perfiles." in full.content.decode()
