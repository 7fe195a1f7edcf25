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

A page shown on GET draws its empty form the same way every time, so it need not build one: `unbound_rows()` gives
each field's `FieldRow` (label, ids, help text, input values), computed once per process for a form class and its
initial values. Building and drawing a form on each GET was a quarter of the phone page's time under load
(bench/README.md); the form is built for a POST, and its errors drawn from it.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, cast

from django.forms import BaseForm, BoundField
from django.forms.renderers import BaseRenderer, Jinja2
from django.forms.widgets import Input
from django.utils.translation import get_language

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


@dataclass(frozen=True)
class FieldRow:
    """What `field_row()` in includes/field.html draws for one field, as plain values: a BoundField's, read once."""

    label: str
    id_for_label: str
    auto_id: str
    help_text: str
    errors: tuple[str, ...]
    input: Mapping[str, Any] | None  # input_values(); None for a widget that draws itself
    html: str  # that widget's own markup (empty for a plain input)


def field_row_of(field: BoundField | FieldRow) -> FieldRow:
    """The row of a bound field; a row is its own."""
    if isinstance(field, FieldRow):
        return field
    values = input_values(field)
    frozen = None if values is None else MappingProxyType({**values, "attrs": MappingProxyType(values["attrs"])})
    return FieldRow(
        label=str(field.label),
        id_for_label=field.id_for_label,
        auto_id=field.auto_id,
        help_text=str(field.help_text),
        errors=tuple(str(error) for error in field.errors),
        input=frozen,
        html="" if frozen is not None else str(field),
    )


def unbound_rows(form_class: type[BaseForm], **initial: Any) -> Mapping[str, FieldRow]:
    """The rows of `form_class(initial=initial)`, by field name: what the page draws before anything is posted.
    The form class must build without other arguments."""
    # A class is hashable; the stubs' BaseForm.__hash__ (an instance's) misleads mypy.
    return _unbound_rows(cast(Hashable, form_class), tuple(sorted(initial.items())), get_language())


@lru_cache(maxsize=512)  # a form class and initial values a page shows; a phone number is one per member
def _unbound_rows(
    form_class: Hashable, initial: tuple[tuple[str, Any], ...], language: str | None
) -> Mapping[str, FieldRow]:
    form: BaseForm = cast(type[BaseForm], form_class)(initial=dict(initial))
    return MappingProxyType({name: field_row_of(form[name]) for name in form.fields})
