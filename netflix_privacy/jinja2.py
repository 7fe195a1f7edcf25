"""The Jinja2 environment of the project's own templates (`templates/`); settings name it in `TEMPLATES`.

Why Jinja2: a member page spent 35-45% of its time rendering in the Django template language, which walks a node
tree and resolves every `{{ a.b.c }}` through a chain of lookups on each request. Jinja2 compiles each template once
per process into a Python function: the privacy page's template renders in 0.47 instead of 0.82 ms, the account
page's in 0.71 instead of 1.07 ms, 8-10% off each member request (bench/README.md, "Templates in Jinja2"; the rest
of a render is the CSRF token, reverse() and static(), the same in either engine). Django's admin, django-ninja's
API docs and form widgets keep the Django template language: the second engine in `TEMPLATES` and the form
renderer.

What the templates get besides their view's context and the context processors (Django's backend adds `request`
and `csrf_token`; `csrf_input` comes from netflix_privacy.context_processors, masked once per page):

- `url(name, *args, **kwargs)`: `{% url %}`, e.g. `url('consent:emails', profile=profile.pk)`;
- `static(path)`: `{% static %}`;
- `field_row_of(bound_field)`: a field's label, ids, help text, errors and input as plain values
  (netflix_privacy.forms), which `includes/field.html` draws.

Cookie categories are checked in the template with the request's own rule, `privacy.cookie_allowed(category)`
(R-CK-3); `privacy` is None where the privacy middleware did not run.
"""

from functools import lru_cache
from typing import Any

import jinja2
from django.core.signals import setting_changed
from django.templatetags.static import static as static_url
from django.urls import reverse
from django.utils.functional import Promise

from netflix_privacy.forms import field_row_of
from netflix_privacy.reversal import fixed_url, profile_url


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """`{% url %}`: routes without arguments and a profile's routes from netflix_privacy.reversal (reversed once
    per route), any other through reverse()."""
    if not args and not kwargs:
        return fixed_url(name)
    if not args and kwargs.keys() == {"profile"}:
        return profile_url(name, kwargs["profile"])
    return reverse(name, args=args or None, kwargs=kwargs or None)


@lru_cache(maxsize=256)
def static(path: str) -> str:
    """`{% static %}`, remembered per path: the storage's answer for a path is fixed while the process runs (the
    manifest is read once at start), and looking it up cost ~3% of a member page."""
    return static_url(path)


def _forget_static_urls(*, setting: str, **kwargs: object) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES"}:
        static.cache_clear()


setting_changed.connect(_forget_static_urls)


def text_of_lazy(value: Any) -> Any:
    """Every `{{ }}` value goes through this: a lazy string (gettext_lazy, Django's password rules help text) becomes
    its text before escaping, as in the Django template language, so lazy safe HTML is not escaped twice."""
    return str(value) if isinstance(value, Promise) else value


def environment(**options: Any) -> jinja2.Environment:
    # A template's last newline stays, as in the Django template language: pages and emails keep their layout.
    options.setdefault("keep_trailing_newline", True)
    options.setdefault("finalize", text_of_lazy)
    env = jinja2.Environment(**options)  # noqa: S701 (Django's backend passes autoescape=True; settings say so too)
    env.globals.update(url=url, static=static, field_row_of=field_row_of)
    return env
