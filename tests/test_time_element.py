"""Dates drawn as <time> elements inside translated sentences (common.templatetags.dates)."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template


def draw(value: object) -> str:
    return Template('{% load dates %}{{ value|time_element:"j M Y" }}').render(Context({"value": value}))


def test_a_day_is_a_time_element_with_its_iso_date():
    assert draw(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)) == '<time datetime="2026-12-03">3 Dec 2026</time>'
    assert draw(date(2026, 11, 5)) == '<time datetime="2026-11-05">5 Nov 2026</time>'


@pytest.mark.parametrize("value", [None, "", "2026-12-03", 0, object()])
def test_anything_but_a_date_draws_nothing_like_djangos_date_filter(value):
    assert draw(value) == ""
