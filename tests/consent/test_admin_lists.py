"""The support console's lists read at a glance (R-AU-2): the choice filter names every choice once."""

import re
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from consent.admin.filters import EventChoiceFilter
from consent.choices import REGISTRY

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


