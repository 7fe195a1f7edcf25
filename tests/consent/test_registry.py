"""Choices are data: a choice registered in the test is stored, shown, audited and opted out of all with no new
column, form field, admin field or migration: one registry entry is all a new choice takes."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from consent import services
from consent.choices import REGISTRY, ChoiceSpec, Page, Scope, Source
from consent.models import ChoiceValue
from tests.factories import ProfileFactory
from tests.helpers import actor, control, events_since, last_event_id, profile_named, switches, values_of

pytestmark = pytest.mark.django_db

KEY = "trivia_nights"


@pytest.fixture
def throwaway_choice(ads_account):
    """Registered after the demo-like account exists, as a new choice meets existing members."""
    spec = REGISTRY.register(
        ChoiceSpec(
            key=KEY,
            label="Trivia night invitations",
            help_text="Invitations to watch-along trivia nights.",
            scope=Scope.PROFILE,
            default=True,
            page=Page.PRIVACY,
            opt_out_of_all=True,
            signal=False,
        )
    )
    yield spec
    REGISTRY.unregister(KEY)


def test_a_registered_choice_needs_no_migration(throwaway_choice):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_a_registered_choice_is_shown_with_its_label_and_defaults_on(throwaway_choice, member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    html = member_client.get(sam.get_absolute_url()).content.decode()
    assert f'name="{KEY}"' in html
    assert "Trivia night invitations" in html
    assert "Invitations to watch-along trivia nights." in html
    assert values_of(sam)[KEY] is True, "no row yet: the registry's default"
    assert not ChoiceValue.objects.filter(choice=KEY).exists()


def test_a_registered_choice_is_stored_and_audited_from_the_page(throwaway_choice, member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()

    response = member_client.post(
        sam.get_absolute_url(), {"action": "save", "shown": f"mic ba {KEY}", "mic": "on", "ba": "on"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert values_of(sam)[KEY] is False
    assert list(ChoiceValue.objects.filter(choice=KEY).values_list("profile__name", "value")) == [("Sam", False)]
    assert events_since(mark) == [("Sam", KEY, True, False, Source.MEMBER, ads_account.email)]
    html = member_client.get(sam.get_absolute_url()).content.decode()
    assert switches(html) == {"mic": True, "ba": True, KEY: False}


def test_a_registered_choice_is_turned_off_by_opt_out_of_all(throwaway_choice, ads_account):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()
    services.account_opt_all_profiles_out(
        account=ads_account, from_profile=alex, actor=actor(Source.OPT_ALL_PROFILES, ads_account)
    )
    assert {values_of(profile)[KEY] for profile in ads_account.profiles.all()} == {False}
    assert [event for event in events_since(mark) if event[1] == KEY] == [
        (name, KEY, True, False, Source.OPT_ALL_PROFILES, ads_account.email) for name in ("Alex", "Sam", "Kids")
    ]


def test_a_registered_choice_gets_a_starting_value_on_new_profiles(throwaway_choice, ads_account):
    mark = last_event_id()
    robin = ProfileFactory(account=ads_account, name="Robin")
    assert ("Robin", KEY, None, True, Source.SYSTEM, None) in events_since(mark)
    assert values_of(robin)[KEY] is True


def test_a_registered_choice_shows_in_the_admin(throwaway_choice, staff_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    html = staff_client.get(reverse("admin:accounts_profile_change", args=[sam.pk])).content.decode()
    assert "Trivia night invitations: on" in html


def test_a_choice_that_cannot_be_turned_off_is_shown_always_on_and_refuses_off(ads_account, member_client):
    REGISTRY.register(
        ChoiceSpec(
            key="service_email",
            label="Service email",
            help_text="Billing, security and password reset.",
            scope=Scope.PROFILE,
            default=True,
            page=Page.PRIVACY,
            opt_out_of_all=False,
            signal=False,
            can_turn_off=False,
        )
    )
    try:
        sam = profile_named(ads_account, "Sam")
        html = member_client.get(sam.get_absolute_url()).content.decode()
        assert "Always on" in html
        assert "disabled" in control(html, "service_email")
        with pytest.raises(services.ChoiceNotAvailable):
            services.profile_set_choices(profile=sam, values={"service_email": False}, actor=actor())
        member_client.post(sam.get_absolute_url(), {"action": "save", "mic": "on", "ba": "on"})
        member_client.post(sam.get_absolute_url(), {"action": "opt_out_all"})
        assert values_of(sam)["service_email"] is True
    finally:
        REGISTRY.unregister("service_email")
