"""A page shown on GET draws its switches from the stored values without building a form (consent.forms.switches_of);
what it draws must be what the form would: for every page's choices and any stored values, the same switches."""

from hypothesis import given, settings
from hypothesis import strategies as st

from consent.choices import REGISTRY, Page
from consent.forms import ChoicesForm, switches_of


@settings(max_examples=500, deadline=None)
@given(page=st.sampled_from(list(Page)), data=st.data())
def test_switches_of_stored_values_are_the_unbound_forms_switches(page, data):
    choices = REGISTRY.on_page(page)
    shown = tuple(data.draw(st.lists(st.sampled_from(choices), unique=True))) if choices else ()
    values = {spec.key: data.draw(st.booleans()) for spec in shown if data.draw(st.booleans())}  # missing = off
    assert switches_of(shown, values) == ChoicesForm(choices=shown, initial=values).switches()


def test_a_switch_that_cannot_be_turned_off_is_drawn_disabled_and_checked_as_stored():
    service = [spec for spec in REGISTRY.on_page(Page.EMAILS) if not spec.can_turn_off]
    assert service, "service email is always on (R-EM-1)"
    [switch] = switches_of(service, {service[0].key: True})
    assert switch.disabled
    assert switch.checked
