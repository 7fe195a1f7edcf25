"""The Privacy and data settings page (docs/rules.md, Privacy and data settings), through HTTP as a browser sends it:
what it shows, what each button does, and that a forged, stale or malformed post changes nothing."""

from http import HTTPStatus
from uuid import uuid4

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.models import Account, Plan, Profile
from consent import services
from consent.choices import Choice, Source
from consent.views.helpers import STALE
from tests.factories import AccountFactory
from tests.helpers import (
    GPC,
    control,
    description,
    events_since,
    last_event_id,
    mic_ba,
    profile_named,
    switches,
    values_of,
    watching,
    words,
)

pytestmark = pytest.mark.django_db


def privacy_url(profile) -> str:
    return reverse("consent:privacy", kwargs={"profile": profile.pk})


def test_page_shows_both_switches_on_an_ad_plan__R_PDS_1(member_client, ads_account):
    response = member_client.get(privacy_url(profile_named(ads_account, "Sam")))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Privacy and data settings" in html
    assert "Matched Identifier Communications" in html
    assert 'name="ba"' in html
    assert html.count('role="switch"') == 2


def test_kids_profile_page_has_no_behavioral_advertising_switch__R_PDS_2(member_client, ads_account):
    html = member_client.get(privacy_url(profile_named(ads_account, "Kids"))).content.decode()
    assert 'name="mic"' in html
    assert 'name="ba"' not in html
    assert "We do not engage in behavioral advertising on Kids profiles." in html


def test_plan_without_ads_shows_only_mic__R_PDS_1(client):
    account = AccountFactory(plan=Plan.STANDARD)
    client.force_login(account)
    html = client.get(privacy_url(account.profiles.get())).content.decode()
    assert 'name="mic"' in html
    assert 'name="ba"' not in html


def test_saving_with_mic_unchecked_turns_it_off_and_redirects__R_PDS_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()

    response = member_client.post(privacy_url(sam), {"action": "save", "ba": "on"}, follow=True)

    assert response.redirect_chain == [(privacy_url(sam), HTTPStatus.FOUND)]
    assert "Saved your privacy and data settings for Sam." in response.content.decode()
    assert events_since(mark) == [("Sam", Choice.MIC, True, False, Source.MEMBER, ads_account.email)]


def test_saving_unchanged_settings_writes_nothing_and_says_so__R_AU_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(privacy_url(sam), {"action": "save", "mic": "on", "ba": "on"}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert events_since(mark) == []


def test_opt_out_of_all_button__R_PDS_3(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(privacy_url(sam), {"action": "opt_out_all"}, follow=True)
    assert "Sam is opted out of all." in response.content.decode()
    assert events_since(mark) == [
        ("Sam", Choice.MIC, True, False, Source.OPT_OUT_ALL, ads_account.email),
        ("Sam", Choice.BA, True, False, Source.OPT_OUT_ALL, ads_account.email),
    ]
    again = member_client.post(privacy_url(sam), {"action": "opt_out_all"}, follow=True)
    assert "Nothing changed: Sam was already opted out of all." in again.content.decode()
    assert len(events_since(mark)) == 2


def test_opt_all_profiles_button_only_on_the_primary_page__R_PDS_4(member_client, ads_account):
    primary_html = member_client.get(privacy_url(profile_named(ads_account, "Alex"))).content.decode()
    other_html = member_client.get(privacy_url(profile_named(ads_account, "Sam"))).content.decode()
    assert "Opt all profiles out of all" in primary_html
    assert "Opt all profiles out of all" not in other_html


def test_opt_all_profiles_from_the_primary_page__R_PDS_4(member_client, ads_account):
    alex = profile_named(ads_account, "Alex")
    response = member_client.post(privacy_url(alex), {"action": "opt_all_profiles"}, follow=True)
    assert "All profiles on your account are opted out of all." in response.content.decode()
    assert mic_ba(ads_account) == [("Alex", False, False), ("Sam", False, False), ("Kids", False, False)]
    again = member_client.post(privacy_url(alex), {"action": "opt_all_profiles"}, follow=True)
    assert "Nothing changed: every profile was already opted out of all." in again.content.decode()


def test_forged_opt_all_profiles_for_a_non_primary_profile_is_refused__R_PDS_4(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(privacy_url(sam), {"action": "opt_all_profiles"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only the primary profile can opt all profiles out of all." in response.content.decode()
    assert events_since(mark) == []
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", True, True), ("Kids", True, True)]


def test_any_member_of_the_account_may_open_every_profile__R_PDS_6(member_client, ads_account):
    for profile in ads_account.profiles.all():
        assert member_client.get(privacy_url(profile)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("action", ["save", "opt_out_all", "opt_all_profiles"])
def test_another_accounts_profile_is_404_and_changes_nothing__R_PDS_6(member_client, action):
    other = AccountFactory(email="someone-else@example.com")
    their_primary = other.profiles.get()
    mark = last_event_id()

    assert member_client.get(privacy_url(their_primary)).status_code == HTTPStatus.NOT_FOUND
    response = member_client.post(privacy_url(their_primary), {"action": action})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert events_since(mark) == []
    assert mic_ba(other) == [("Alex", True, True)]


def test_another_accounts_profile_is_404_on_both_its_pages_with_the_signal_too__R_PDS_6(client, ads_account):
    other = AccountFactory()
    theirs = Profile.objects.get(account=other, is_primary=True)
    watching(client, ads_account, "Alex")
    for url in (theirs.get_absolute_url(), reverse("consent:emails", kwargs={"profile": theirs.pk})):
        assert client.get(url, **GPC).status_code == HTTPStatus.NOT_FOUND
        assert client.post(url, {"mic": "on"}, **GPC).status_code == HTTPStatus.NOT_FOUND
    assert values_of(theirs)[Choice.MIC] is True


def test_unknown_profile_id_is_404__R_PDS_6(member_client):
    assert member_client.get(f"/account/profiles/{uuid4()}/privacy/").status_code == HTTPStatus.NOT_FOUND
    assert member_client.get("/account/profiles/1/privacy/").status_code == HTTPStatus.NOT_FOUND
    assert member_client.get("/account/profiles/not-a-uuid/privacy/").status_code == HTTPStatus.NOT_FOUND


def test_signed_out_visitor_is_sent_to_sign_in__R_PDS_6(client, ads_account):
    sam = profile_named(ads_account, "Sam")
    response = client.get(privacy_url(sam))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/login/")


def assert_page_with_message(response, status: HTTPStatus, message: str) -> None:
    """Never a bare text/plain answer: the page itself, with a message saying what happened."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Privacy and data settings</h1>" in html
    assert message in html


@pytest.mark.parametrize(
    "data",
    [
        {"action": "save", "mic": "on", "extra": "1"},
        {"action": "delete_everything"},
        {"action": "save", "mic": "on", "all_profiles_opt_out": "on"},
    ],
)
def test_a_malformed_post_re_renders_the_page_and_changes_nothing(member_client, ads_account, data):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(privacy_url(sam), data)
    assert_page_with_message(response, HTTPStatus.BAD_REQUEST, "That request was not understood")
    assert events_since(mark) == []


def test_ba_posted_for_a_kids_profile_re_renders_as_stale_and_changes_nothing__R_PDS_2(member_client, ads_account):
    kids = profile_named(ads_account, "Kids")
    mark = last_event_id()
    response = member_client.post(privacy_url(kids), {"action": "save", "ba": "on"})
    assert_page_with_message(response, HTTPStatus.CONFLICT, "changed since the page was shown")
    assert events_since(mark) == []
    assert values_of(kids)[Choice.MIC] is True, "MIC, left out of the stale form, was not turned off"


def test_form_shown_on_an_ad_plan_and_saved_after_the_plan_lost_its_ads_is_stale__R_PDS_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    ads_account.plan = Plan.PREMIUM
    ads_account.save(update_fields=["plan"])
    mark = last_event_id()
    response = member_client.post(privacy_url(sam), {"action": "save", "shown": "mic ba", "mic": "on", "ba": "on"})
    assert_page_with_message(response, HTTPStatus.CONFLICT, "changed since the page was shown")
    assert events_since(mark) == []


def test_form_shown_without_ba_and_saved_after_the_plan_gained_ads_does_not_turn_ba_off__R_PDS_1(client):
    account = AccountFactory(plan=Plan.STANDARD)
    client.force_login(account)
    primary = account.profiles.get()
    account.plan = Plan.STANDARD_WITH_ADS
    account.save(update_fields=["plan"])
    mark = last_event_id()
    # The page was shown with MIC only; BA is absent from the form, which would otherwise read as "off".
    response = client.post(privacy_url(primary), {"action": "save", "shown": "mic", "mic": "on"})
    assert_page_with_message(response, HTTPStatus.CONFLICT, "changed since the page was shown")
    assert events_since(mark) == []
    assert values_of(primary)[Choice.BA] is True


def test_the_form_says_which_switches_it_showed(member_client, ads_account):
    html = member_client.get(privacy_url(profile_named(ads_account, "Sam"))).content.decode()
    assert control(html, "shown", type_="hidden")["value"] == "mic ba"


def test_invalid_switch_value_shows_a_form_error(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(privacy_url(sam), {"action": "save", "mic": "yes"})
    assert_page_with_message(response, HTTPStatus.BAD_REQUEST, "leave it out to turn it off")
    html = response.content.decode()
    assert control(html, "mic")["aria-invalid"] == "true"
    assert "leave it out to turn it off" in description(html, "mic")
    assert events_since(mark) == []


def test_a_post_with_two_actions_is_not_understood_and_changes_nothing(member_client, ads_account):
    """One form sends one action. Two are a forged or broken request, never read as "the last one" (which would
    run "Opt all profiles out of all" for a post that also asked to turn everything on)."""
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()
    response = member_client.post(
        privacy_url(alex), {"action": ["save", "opt_all_profiles"], "shown": "mic ba", "mic": "on", "ba": "on"}
    )
    assert_page_with_message(response, HTTPStatus.BAD_REQUEST, "not understood")
    assert events_since(mark) == []


def test_a_conflict_after_a_concurrent_plan_change_shows_the_current_switches__R_PDS_1(
    member_client, ads_account, monkeypatch
):
    """When the plan loses its ads between the page reading the profile and the writer locking it, the 409 page
    says "These are the current settings" and shows them (no BA switch), not the ones read before."""
    alex = profile_named(ads_account, "Alex")
    real = services.profile_set_choices

    def plan_changes_first(**kwargs):
        account_services.account_set_plan(
            account=Account.objects.get(pk=ads_account.pk), plan=Plan.STANDARD, acting_user=None
        )
        return real(**kwargs)

    monkeypatch.setattr(services, "profile_set_choices", plan_changes_first)
    response = member_client.post(privacy_url(alex), {"action": "save", "shown": "mic ba", "mic": "on", "ba": "on"})

    assert_page_with_message(response, HTTPStatus.CONFLICT, "These are the current settings")
    html = response.content.decode()
    assert switches(html) == {"mic": True}
    assert control(html, "shown", type_="hidden")["value"] == "mic"
    assert "your plan has no ads" in html


def test_privacy_page_is_get_and_post_only(member_client, ads_account):
    response = member_client.put(privacy_url(profile_named(ads_account, "Sam")))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


# Whatever is posted: a redirect after a change, or the page itself with a message (400, 403, 409) and no change.

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
privacy_fields = st.sampled_from(
    ["action", "shown", "mic", "ba", "all_profiles_opt_out", "extra", "csrfmiddlewaretoken", "confirm_signal"]
)
privacy_values = st.one_of(
    st.sampled_from(["save", "opt_out_all", "opt_all_profiles", "on", "off", "", "mic ba", "mic", "ba mic", "yes"]),
    any_text,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(form=st.dictionaries(privacy_fields, st.lists(privacy_values, min_size=1, max_size=3), max_size=6))
def test_privacy_form_never_answers_a_server_error_and_a_refused_post_changes_nothing(member_client, ads_account, form):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(sam.get_absolute_url(), form)
    assert response.status_code in {
        HTTPStatus.FOUND,
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.CONFLICT,
    }
    if response.status_code != HTTPStatus.FOUND:
        assert response["Content-Type"].startswith("text/html")
        assert events_since(mark) == []


def test_switches_kept_in_the_cache_show_each_members_own_stored_values(client):
    """The switches are drawn once per state and kept in the cache (includes/switches.html): two members in
    different states, and one member before and after a change, each see their own values."""
    first = AccountFactory(plan=Plan.STANDARD_WITH_ADS, primary_profile_name="Alex")
    second = AccountFactory(plan=Plan.STANDARD_WITH_ADS, primary_profile_name="Alex")
    services.profile_set_choices(
        profile=profile_named(second, "Alex"),
        values={"ba": False},
        actor=services.Actor(source=Source.MEMBER, acting_user=second),
    )

    def seen(account: Account) -> dict[str, bool]:
        watching(client, account, "Alex")
        return switches(client.get(privacy_url(profile_named(account, "Alex"))).content.decode())

    assert seen(first) == {"mic": True, "ba": True}
    assert seen(second) == {"mic": True, "ba": False}
    assert seen(first) == {"mic": True, "ba": True}
    client.post(privacy_url(profile_named(first, "Alex")), {"action": "save", "shown": "mic ba", "mic": "on"})
    assert seen(first) == {"mic": True, "ba": False}
    assert seen(second) == {"mic": True, "ba": False}


def test_a_posted_form_with_an_error_is_drawn_afresh_not_from_the_cache(member_client, ads_account):
    alex = profile_named(ads_account, "Alex")
    assert member_client.get(privacy_url(alex)).status_code == HTTPStatus.OK  # the unbound switches are kept
    response = member_client.post(privacy_url(alex), {"action": "save", "shown": "mic ba", "mic": "yes"})
    assert "Send “on” to turn this on" in response.content.decode()
    assert "Send “on” to turn this on" not in member_client.get(privacy_url(alex)).content.decode()


def test_opt_out_of_all_says_you_still_see_ads_only_on_a_plan_with_ads__R_PDS_3(client, member_client, ads_account):
    """R-PDS-3: the explanation matches the plan: no "You will still see ads" where the plan has no ads."""
    with_ads = member_client.get(privacy_url(profile_named(ads_account, "Sam"))).content.decode()
    assert "You will still see ads" in with_ads
    account = AccountFactory(plan=Plan.STANDARD)
    client.force_login(account)
    without_ads = client.get(privacy_url(account.profiles.get())).content.decode()
    assert "You will still see ads" not in without_ads
    assert "You will still get other marketing messages" in without_ads


def test_after_the_signal_opts_all_profiles_out_the_page_names_the_signal_not_the_button__R_PDS_4_R_GPC_3(
    client, ads_account
):
    """R-PDS-4, R-GPC-3: the notice says who turned the account-wide opt-out on, from the event's source."""
    alex = profile_named(ads_account, "Alex")
    html = watching(client, ads_account, "Alex").get(privacy_url(alex), **GPC).content.decode()
    assert "“Opt all profiles out of all” is in force" not in html
    assert "Your browser sent the Global Privacy Control signal while watching as the primary profile" in html


def test_after_support_staff_opt_all_profiles_out_the_page_says_so__R_PDS_4(member_client, ads_account, staff):
    services.account_opt_all_profiles_out(
        account=ads_account, from_profile=None, actor=services.Actor(source=Source.ADMIN, acting_user=staff)
    )
    html = member_client.get(privacy_url(profile_named(ads_account, "Sam"))).content.decode()
    assert "Support staff opted every profile on your account out of all" in html
    assert "“Opt all profiles out of all” is in force" not in html


def test_after_the_member_opts_all_profiles_out_the_page_names_the_button__R_PDS_4(member_client, ads_account):
    alex = profile_named(ads_account, "Alex")
    html = member_client.post(privacy_url(alex), {"action": "opt_all_profiles"}, follow=True).content.decode()
    assert "“Opt all profiles out of all” is in force: every profile, including profiles added later" in html


def test_when_everything_is_already_off_the_page_says_so_instead_of_offering_the_buttons__R_PDS_3_R_PDS_4(
    member_client, ads_account
):
    """R-PDS-3, R-PDS-4: nothing left to turn off is a statement, not a button that would change nothing."""
    alex, sam = profile_named(ads_account, "Alex"), profile_named(ads_account, "Sam")
    member_client.post(privacy_url(sam), {"action": "opt_out_all"})
    sam_html = member_client.get(privacy_url(sam)).content.decode()
    assert 'value="opt_out_all"' not in sam_html
    assert "Everything “Opt out of all” covers is already off for Sam" in sam_html
    alex_html = member_client.get(privacy_url(alex)).content.decode()
    assert 'value="opt_out_all"' in alex_html, "Alex still has choices on"
    assert 'value="opt_all_profiles"' in alex_html

    member_client.post(privacy_url(alex), {"action": "opt_all_profiles"})
    alex_html = member_client.get(privacy_url(alex)).content.decode()
    assert 'value="opt_out_all"' not in alex_html
    assert 'value="opt_all_profiles"' not in alex_html
    assert "Every profile on your account is already opted out of all" in alex_html


# Spanish (R-I18N-1) ---------------------------------------------------------------------------------------------

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_the_page_reads_in_spanish_switches_buttons_and_statements__R_I18N_1(member_client, ads_account):
    """R-I18N-1: a browser asking for Spanish gets the whole page in Spanish, the glossary's names for the
    switches and buttons included."""
    html = member_client.get(privacy_url(profile_named(ads_account, "Alex")), **ES).content.decode()
    assert '<html lang="es"' in html
    for spanish in (
        "<h1>Configuración de privacidad y datos</h1>",
        "Para el perfil <strong>Alex</strong> (perfil principal).",
        "<h2>Tus opciones para Alex</h2>",
        "Comunicaciones con identificador coincidente",
        "Publicidad basada en el comportamiento",
        ">Guardar</button>",
        ">Desactivar todo</button>",
        ">Desactivar todo en todos los perfiles</button>",
        "Seguirás viendo anuncios y recibiendo otros mensajes de marketing",
    ):
        assert spanish in html
    for english in ("Privacy and data settings", "Behavioral Advertising", "Opt out of all", "Save<"):
        assert english not in html


def test_buttons_answer_and_statements_read_in_spanish__R_I18N_1_R_PDS_3_R_PDS_4(member_client, ads_account):
    """R-I18N-1: what a button answers, the opt-all attribution and "nothing more to turn off" are Spanish."""
    alex = profile_named(ads_account, "Alex")
    answer = member_client.post(privacy_url(alex), {"action": "opt_out_all"}, follow=True, **ES).content.decode()
    assert "Se desactivó todo para Alex." in answer
    assert "Todo lo que abarca “Desactivar todo” ya está desactivado para Alex" in answer

    html = member_client.post(privacy_url(alex), {"action": "opt_all_profiles"}, follow=True, **ES).content.decode()
    assert "Se desactivó todo en todos los perfiles de tu cuenta." in html
    assert "“Desactivar todo en todos los perfiles” está vigente" in html
    assert "Todos los perfiles de tu cuenta ya tienen todo desactivado" in html

    html = member_client.post(privacy_url(alex), {"action": "opt_out_all"}, follow=True, **ES).content.decode()
    assert "No cambió nada: todo ya estaba desactivado para Alex." in html


def test_refused_posts_and_form_errors_read_in_spanish__R_I18N_1(member_client, ads_account):
    """R-I18N-1: a bad value, a stale form and a request not understood are told in Spanish, and change nothing."""
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    invalid = member_client.post(privacy_url(sam), {"shown": "mic ba", "mic": "yes"}, **ES)
    assert invalid.status_code == HTTPStatus.BAD_REQUEST
    assert "Envía “on” para activarlo, o no lo envíes para desactivarlo." in invalid.content.decode()
    stale = member_client.post(privacy_url(sam), {"shown": "mic", "mic": "on"}, **ES)
    assert stale.status_code == HTTPStatus.CONFLICT
    assert words("es", str(STALE)) in stale.content.decode()
    forged = member_client.post(privacy_url(sam), {"action": ["save", "opt_out_all"]}, **ES)
    assert forged.status_code == HTTPStatus.BAD_REQUEST
    assert "No entendimos esa solicitud, así que no se cambió nada." in forged.content.decode()
    assert events_since(mark) == []


def test_the_signal_notice_and_its_confirmation_read_in_spanish__R_I18N_1_R_GPC_6(member_client, ads_account):
    """R-I18N-1, R-GPC-6: the signal's notice and the question before turning a covered choice back on."""
    sam = profile_named(ads_account, "Sam")
    watching(member_client, ads_account, "Sam")
    member_client.get(privacy_url(sam), **ES, **GPC)  # the signal turns MIC and BA off on Sam
    html = member_client.post(privacy_url(sam), {"shown": "mic ba", "mic": "on"}, **ES, **GPC).content.decode()
    assert "Se respetó la señal de preferencia de exclusión." in html
    assert "¿Activar a pesar de tu señal de preferencia de exclusión?" in html
    assert "Pediste activar <strong>Comunicaciones con identificador coincidente</strong> para Sam." in html
    assert "la señal no volverá a desactivarla para este perfil" in html
    assert ">Sí, activar</button>" in html
