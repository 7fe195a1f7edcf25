"""Forms shown on the project's pages, and how their inputs are drawn.

Django's default form renderer draws every widget through the Django template language (an input is three
nested templates); on a page with two fields that was the largest part of the page (bench/README.md). Member-facing
forms mix in `PageForm`, which renders any widget with Django's own `Jinja2` renderer (the Jinja2 copies of those
templates that Django ships; one instance, so they are compiled once per process). The admin keeps the default
renderer: its widgets exist only as Django templates.

Most of a page's fields are plain `<input>`s, and for those `input_values()` goes one step further: it hands the
page's own template (`templates/includes/field.html`) the values Django's `input.html` would be given, and the page
writes the same markup without rendering a template per field. `tests/test_forms_markup.py` checks the markup
against Django's rendering for every field of every page form.
"""

from typing import Any

from django.forms import BoundField
from django.forms.renderers import BaseRenderer, Jinja2
from django.forms.widgets import Input

PAGE_FORM_RENDERER = Jinja2()

# Django's templates for these inputs are exactly `{% include "django/forms/widgets/input.html" %}`: nothing but the
# widget's context is drawn. Other widgets (select, textarea, file, date inputs) keep their templates.
PLAIN_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("text", "email", "password", "checkbox", "number", "url", "tel", "search", "hidden")
)


class PageForm:
    """Mixed into a form shown on a page: `class PhoneForm(PageForm, forms.Form)`."""

    default_renderer: BaseRenderer | type[BaseRenderer] | None = PAGE_FORM_RENDERER


def input_values(field: BoundField) -> dict[str, Any] | None:
    """The `widget` values Django's `input.html` draws for this field (type, name, value, attrs), computed as
    `BoundField.as_widget()` computes them; None when the field's widget is not a plain input, and the page renders
    `{{ field }}` instead."""
    widget = field.field.widget
    if not isinstance(widget, Input) or widget.template_name not in PLAIN_INPUT_TEMPLATES or field.field.localize:
        return None
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]
