"""Keys for template fragment caching ({% cache %}) of form markup.

An unbound form draws the same markup for everyone whose form has the same fields, values, labels and language:
the key is a digest of exactly those, so one cached fragment serves every member in that state, and a change of
any of them is a different key (nothing to invalidate). A bound form (a POST, with its errors) is never cached:
its key is empty.
"""

import hashlib

from django import forms, template
from django.utils import translation

register = template.Library()


def _field_parts(field: forms.BoundField) -> list[object]:
    widget = field.field.widget
    return [
        field.html_name,
        field.value(),
        field.field.disabled,
        field.field.required,
        str(field.label),
        str(field.help_text),
        type(widget).__qualname__,
        sorted((str(name), str(value)) for name, value in widget.attrs.items()),
    ]


def _digest(form: forms.BaseForm, fields: list[forms.BoundField]) -> str:
    if form.is_bound:
        return ""
    parts: list[object] = [type(form).__qualname__, translation.get_language(), form.prefix, form.auto_id]
    for field in fields:
        parts += _field_parts(field)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@register.filter
def unbound_fragment_key(form: forms.BaseForm) -> str:
    """The key of a whole unbound form's markup; "" for a bound form."""
    return _digest(form, list(form))


@register.filter
def unbound_field_key(field: forms.BoundField) -> str:
    """The key of one field of an unbound form, for a form whose other fields hold a member's own values (the
    phone page's number): only this field's markup is shared. "" when the form is bound."""
    return _digest(field.form, [field])
