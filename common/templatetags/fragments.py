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


@register.filter
def unbound_fragment_key(form: forms.BaseForm) -> str:
    if form.is_bound:
        return ""
    parts: list[object] = [type(form).__qualname__, translation.get_language(), form.prefix, form.auto_id]
    for field in form:
        widget = field.field.widget
        parts += [
            field.html_name,
            field.value(),
            field.field.disabled,
            field.field.required,
            str(field.label),
            str(field.help_text),
            type(widget).__qualname__,
            sorted((str(name), str(value)) for name, value in widget.attrs.items()),
        ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
