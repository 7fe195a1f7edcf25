"""Dates drawn as <time> elements, for a date that a translated sentence takes as a variable.

`{% blocktranslate with day=device.created_at|time_element:day_format %}…{{ day }}…{% endblocktranslate %}` keeps
the sentence as the catalog has it while the day inside it is a <time> the stylesheet keeps on one line.
"""

import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html

register = template.Library()


@register.filter(expects_localtime=True)
def time_element(value: datetime.date | datetime.datetime | None, day_format: str) -> str:
    """The day of `value` in `day_format` (the `date` filter's), as `<time datetime="YYYY-MM-DD">`; "" for
    anything that is not a date, as the `date` filter answers."""
    if not isinstance(value, datetime.date):
        return ""
    day = value.date() if isinstance(value, datetime.datetime) else value
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_filter(value, day_format))
