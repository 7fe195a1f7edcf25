"""The support console's lists read at a glance (R-AU-1, R-AU-2, R-AU-4): the consent event list shows every fact of
an event in five short columns (each with a quieter second line), the choice filter names every choice once, and a
profile's "Choices in effect" is what is on, what is off and what does not apply, on separate lines. Who may see
them is unchanged: a list needs its view permission, and only staff who may see accounts read email addresses."""

import re
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts import services as account_services
from consent import services
from consent.admin.filters import EventChoiceFilter
from consent.choices import REGISTRY, Choice, Source
from tests.helpers import PROFILES_ONLY, VIEW_ONLY, actor, profile_named, signed_in, staff_with

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2026, 12, 1, 14, 2, tzinfo=UTC), tick=False)]

EVENTS = reverse("admin:consent_consentevent_changelist")
PROFILES = reverse("admin:accounts_profile_changelist")


def row_cells(response) -> list[list[str]]:
    """The changelist's rows, each as the HTML inside its cells (the selection checkbox's left out), in page
    order. The admin's result table has no nested tables, so a cell ends at the next closing tag of its kind."""
    assert response.status_code == HTTPStatus.OK
    table = re.search(r'<table id="result_list">.*?<tbody>(.*?)</tbody>', response.content.decode(), re.S)
    assert table is not None, "no result list on the page"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows]
    return [[cell for cell in row if 'name="_selected_action"' not in cell] for row in cells]


@pytest.fixture
def staff_opted_sam_out(ads_account, staff):
    services.profile_opt_out_of_all(profile=profile_named(ads_account, "Sam"), actor=actor(Source.ADMIN, staff))
    return ads_account


def test_event_choice_filter_names_every_choice_once__R_AU_2(staff_client, ads_account):
    response = staff_client.get(EVENTS)
    [choice_filter] = [spec for spec in response.context["cl"].filter_specs if isinstance(spec, EventChoiceFilter)]
    labels = [label for _key, label in choice_filter.lookup_choices]
    assert len(labels) == len(set(labels)) == len(list(REGISTRY))
    assert {"Surveys (email)", "Surveys (text)"} <= set(labels)
    assert "Surveys" not in labels


def test_every_registered_choice_has_a_short_label_of_its_own():
    labels = [spec.short_label for spec in REGISTRY]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)


def test_event_list_shows_new_value_source_and_acting_user_in_five_columns__R_AU_4(staff_opted_sam_out, staff):
    client = signed_in(staff_with(*VIEW_ONLY))
    response = client.get(EVENTS, {"source": Source.ADMIN})
    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].list_display == [
        "time",
        "subject_email",
        "choice_label",
        "change",
        "source_email",
    ]
    account = staff_opted_sam_out
    first = row_cells(response)[0]
    assert first[0].endswith('>1\u00a0Dec\u00a02026 14:02<br><span class="quiet">US-CA</span></a>')
    assert f'{account.email}<br><span class="quiet">Sam</span>' in first[1]
    assert "on → off" in first[3]
    assert f'Support staff (admin)<br><span class="quiet">{staff.email}</span>' in first[4]


def test_event_list_for_profile_only_staff_names_accounts_and_staff_without_emails__R_AU_4(staff_opted_sam_out, staff):
    client = signed_in(staff_with(*PROFILES_ONLY))
    response = client.get(EVENTS, {"source": Source.ADMIN})
    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].list_display == ["time", "subject_ref", "choice_label", "change", "source_ref"]
    html = response.content.decode()
    assert staff.email not in html
    assert staff_opted_sam_out.email not in html
    first = row_cells(response)[0]
    assert f'Account #{staff_opted_sam_out.pk}<br><span class="quiet">Sam</span>' in first[1]
    assert f'Support staff (admin)<br><span class="quiet">Account #{staff.pk}</span>' in first[4]


def test_event_list_needs_the_view_permission(ads_account):
    client = signed_in(staff_with("view_account", "view_profile"))
    assert client.get(EVENTS).status_code == HTTPStatus.FORBIDDEN


def test_event_list_says_first_set_and_puts_the_context_in_a_few_words__R_AU_1(staff_client, ads_account, staff):
    account_services.profile_set_kids(profile=profile_named(ads_account, "Sam"), is_kids=True, acting_user=staff)
    cells = row_cells(staff_client.get(EVENTS, {"choice": Choice.BA, "account__id__exact": ads_account.pk}))
    changes = [cell for _time, _subject, _choice, cell, _source in cells]
    assert 'on → off<br><span class="quiet">effect only (kids flag)</span>' in changes[0]
    assert all("first set: on" in cell for cell in changes[1:]), changes


def test_choices_in_effect_are_on_off_and_not_applicable_on_lines_of_their_own__R_PDS_2_R_EM_3(
    staff_client, ads_account
):
    """R-PDS-2, R-EM-3: neither behavioral advertising nor marketing email applies to a kids profile, whatever is
    stored (Kids' unsubscribe from offers is kept, and shown as not applying)."""
    services.profile_unsubscribe(profile=profile_named(ads_account, "Kids"), category=Choice.EMAIL_OFFERS)
    services.profile_unsubscribe(profile=profile_named(ads_account, "Sam"), category=Choice.EMAIL_OFFERS)
    [kids] = row_cells(staff_client.get(PROFILES, {"q": "Kids"}))
    assert (
        '<ul class="choices-in-effect">'
        "<li><strong>On:</strong> Matched Identifier Communications</li>"
        "<li><strong>Does not apply:</strong> Behavioral Advertising, New arrivals (email), Recommendations (email), "
        "Offers and news (email), Surveys (email)</li>"
        "</ul>"
    ) in next(cell for cell in kids if "choices-in-effect" in cell)
    [sam] = row_cells(staff_client.get(PROFILES, {"q": "Sam"}))
    assert (
        '<ul class="choices-in-effect">'
        "<li><strong>On:</strong> Matched Identifier Communications, Behavioral Advertising, New arrivals (email), "
        "Recommendations (email), Surveys (email)</li>"
        "<li><strong>Off:</strong> Offers and news (email)</li>"
        "</ul>"
    ) in next(cell for cell in sam if "choices-in-effect" in cell)


def test_choices_in_effect_name_an_explicit_consent_only_while_it_is_given__R_GPC_6(staff_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.GPC, ads_account))
    services.profile_set_choices(
        profile=sam,
        values={Choice.MIC: True},
        actor=actor(Source.MEMBER, ads_account),
        under_signal=True,
        confirmed=True,
    )
    [row] = row_cells(staff_client.get(PROFILES, {"q": "Sam"}))
    summary = next(cell for cell in row if "choices-in-effect" in cell)
    assert "Matched Identifier Communications (kept on despite the signal)" in summary
    assert "Behavioral Advertising (kept on despite the signal)" not in summary


def test_view_only_staff_see_choices_in_effect_and_staff_without_view_profile_do_not(ads_account):
    assert "choices-in-effect" in signed_in(staff_with(*VIEW_ONLY)).get(PROFILES).content.decode()
    assert signed_in(staff_with("view_account", "view_consentevent")).get(PROFILES).status_code == HTTPStatus.FORBIDDEN


def test_the_admins_consent_words_follow_the_staff_members_language__R_I18N_1(staff_client, ads_account):
    """R-I18N-1: a staff browser asking for Spanish reads the choices, their values and the sources in Spanish."""
    [kids] = row_cells(staff_client.get(PROFILES, {"q": "Kids"}, HTTP_ACCEPT_LANGUAGE="es"))
    assert (
        '<ul class="choices-in-effect">'
        "<li><strong>Activado:</strong> Comunicaciones con identificador coincidente</li>"
        "<li><strong>No se aplica:</strong> Publicidad basada en el comportamiento, Novedades (correo electrónico), "
        "Recomendaciones (correo electrónico), Ofertas y noticias (correo electrónico), "
        "Encuestas (correo electrónico)</li>"
        "</ul>"
    ) in next(cell for cell in kids if "choices-in-effect" in cell)
    events = staff_client.get(EVENTS, {"choice": Choice.MIC}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "primer valor: activado" in events
    assert "Encuestas (mensaje de texto)" in events  # the choice filter's options
    assert "El equipo de asistencia (administración)" in events  # the source filter's options
