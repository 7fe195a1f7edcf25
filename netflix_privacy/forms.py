"""Forms shown on the project's pages render their widgets with Jinja2, like the pages themselves.

Django's default form renderer draws every widget through the Django template language (an input is three
nested templates); on a page with two fields that was the largest part of the page (bench/README.md). Django's
own `Jinja2` renderer draws the same markup from the Jinja2 copies of those templates that Django ships. One
instance, so its templates are compiled once per process. The admin keeps the default renderer: its widgets
exist only as Django templates.
"""

from django.forms.renderers import BaseRenderer, Jinja2

PAGE_FORM_RENDERER = Jinja2()


class PageForm:
    """Mixed into a form shown on a page: `class PhoneForm(PageForm, forms.Form)`."""

    default_renderer: BaseRenderer | type[BaseRenderer] | None = PAGE_FORM_RENDERER
