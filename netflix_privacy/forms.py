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
each field's `FieldRow` (label, ids, help text, input values), computed once per process for a form class; a
member's own starting text (the phone page's number) is written into a per-request copy, never kept. Building and
drawing a form on each GET was a quarter of the phone page's time under load (bench/README.md); the form is built
for a POST, and its errors drawn from it.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
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
    if (
        not isinstance(widget, Input)
        or widget.template_name not in PLAIN_INPUT_TEMPLATES
        or field.field.localize
        or field.field.show_hidden_initial  # Django adds a hidden input for the initial value
    ):
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


def unbound_rows(form_class: type[BaseForm], **texts: str | None) -> Mapping[str, FieldRow]:
    """The rows of the empty `form_class()`, by field name: what the page draws before anything is posted. The rows
    are kept per form class (and language); the form class must build without arguments and draw the same every
    time (no callable initial value, no choices read from the database). `texts` start text inputs
    from a member's own value (the phone page's stored number), written into a copy for this request and never
    kept: the process holds no member's data, and the cache does not grow with the members."""
    # A class is hashable; the stubs' BaseForm.__hash__ (an instance's) misleads mypy.
    rows = _unbound_rows(cast(Hashable, form_class), get_language())
    if not texts:
        return rows
    filled = dict(rows)
    for name, text in texts.items():
        row = rows[name]
        if row.input is None or row.input["type"] not in TEXT_INPUT_TYPES:
            raise ValueError(f"{form_class.__name__}.{name} is not a text input")
        # What TextInput.format_value() does with an initial text: empty is no value, anything else its text.
        value = None if text is None or text == "" else str(text)
        filled[name] = replace(row, input=MappingProxyType({**row.input, "value": value}))
    return MappingProxyType(filled)


TEXT_INPUT_TYPES = frozenset({"text", "email", "tel", "search", "url"})


@lru_cache(maxsize=64)  # one entry per form class a page draws empty, and language
def _unbound_rows(form_class: Hashable, language: str | None) -> Mapping[str, FieldRow]:
    form: BaseForm = cast(type[BaseForm], form_class)()
    return MappingProxyType({name: field_row_of(form[name]) for name in form.fields})
