"""Reads compiled once (netflix_privacy.prepared) give what their querysets give, one query each, and the
session store built on them keeps Django's rules for missing, expired and hostile keys."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.backends import _account_with_phone
from accounts.models import Account, PhoneNumber, Profile
from accounts.selectors import _profiles_in_slot_order
from consent.choices import Choice, Source
from consent.selectors import _account_own_values, _stored_of_account
from consent.services import Actor, account_opt_all_profiles_out, profile_set_choices
from netflix_privacy.prepared import PreparedRead
from netflix_privacy.sessions import SessionStore
from tests.factories import AccountFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_profiles_read_gives_what_the_queryset_gives_in_one_query():
    account = AccountFactory()
    for _ in range(4):
        ProfileFactory(account=account)
    other = AccountFactory()

    with CaptureQueriesContext(connection) as queries:
        prepared = _profiles_in_slot_order(account_id=account.pk)
    orm = list(_profiles_in_slot_order.queryset(account_id=account.pk))

    assert len(queries) == 1
    assert [field_values(p) for p in prepared] == [field_values(p) for p in orm]
    assert len(prepared) == 5
    assert [p.slot for p in prepared] == sorted(p.slot for p in prepared)
    assert all(not p._state.adding and p._state.db == "default" for p in prepared), "as loaded by the ORM"
    assert [p.pk for p in _profiles_in_slot_order(account_id=other.pk)] == [other.profiles.get().pk]
    assert _profiles_in_slot_order(account_id=10**9) == []


def test_stored_values_read_gives_what_the_queryset_gives():
    account = AccountFactory()
    second = ProfileFactory(account=account)
    actor = Actor(source=Source.MEMBER, acting_user=account)
    profile_set_choices(profile=second, values={Choice.MIC: False}, actor=actor)

    prepared = _stored_of_account(account_id=account.pk)

    assert prepared == list(_stored_of_account.queryset(account_id=account.pk))
    assert (second.pk, Choice.MIC, False) in prepared, "UUIDs and booleans converted as the ORM converts them"
    account_opt_all_profiles_out(
        account=account,
        from_profile=account.profiles.get(is_primary=True),
        actor=actor.with_source(Source.OPT_ALL_PROFILES),
    )
    own = _account_own_values(account_id=account.pk)
    assert own == list(_account_own_values.queryset(account_id=account.pk))
    assert (Choice.ALL_PROFILES_OPT_OUT, True) in own


@pytest.mark.parametrize("with_phone", [True, False])
def test_account_read_brings_the_phone_as_select_related_does(with_phone):
    account = AccountFactory()
    if with_phone:
        account_services.phone_set(account=account, number="+14155550123")

    (prepared,) = _account_with_phone(pk=account.pk)
    orm = Account.objects.select_related("phone").get(pk=account.pk)

    assert field_values(prepared) == field_values(orm)
    with CaptureQueriesContext(connection) as queries:
        if with_phone:
            assert prepared.phone.number == orm.phone.number
        else:
            with pytest.raises(PhoneNumber.DoesNotExist):
                _ = prepared.phone
    assert len(queries) == 0, "the phone came with the account"
    assert _account_with_phone(pk=10**9) == []


def test_a_read_is_compiled_once_per_connection():
    account = AccountFactory()
    read = PreparedRead(lambda account_id: Profile.objects.filter(account_id=account_id), account_id=Account._meta.pk)
    read(account_id=account.pk)
    compiled = connections["default"].__dict__["_prepared_reads"][read.key]

    read(account_id=account.pk + 1)

    assert connections["default"].__dict__["_prepared_reads"][read.key] is compiled
    assert "%s" in compiled.sql, "the value is a parameter, not in the SQL"


def test_a_read_refuses_wrong_parameters_and_shapes():
    read = PreparedRead(lambda account_id: Profile.objects.filter(account_id=account_id), account_id=Account._meta.pk)
    with pytest.raises(TypeError):
        read(account=1)
    twice = PreparedRead(
        lambda account_id: Profile.objects.filter(account_id=account_id, slot__lt=account_id),
        account_id=Account._meta.pk,
    )
    with pytest.raises(TypeError, match=r"not one SQL parameter|not a plain comparison"):
        twice(account_id=1)
    annotated = PreparedRead(
        lambda account_id: Profile.objects.filter(account_id=account_id).values("name"), account_id=Account._meta.pk
    )
    with pytest.raises(TypeError, match="supports"):
        annotated(account_id=1)


def test_session_store_reads_what_django_wrote_and_nothing_expired():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(store.session_key).load() == {"answer": 42}

    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None, "as Django's store: an expired key is dropped, a new one is issued on save"


# What a Cookie header can carry as a value: printable ASCII without separators.
COOKIE_VALUE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=';,"\\'), max_size=80)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=COOKIE_VALUE)
def test_any_session_cookie_reads_no_session_and_never_fails(client, key):
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
    assert client.get("/account/", HTTP_COOKIE=f"sessionid={key}").status_code == 302, "to sign in"


@pytest.mark.parametrize(
    "cookie",
    [
        'sessionid="abcdefgh\\000"',
        'sessionid="abcdefgh\\000abcdefgh"',
        "sessionid=" + "a" * 5000,
        "sessionid=ABCDEFGHIJKL",
    ],
)
def test_a_session_key_django_never_issues_reaches_no_database(client, cookie):
    """On PostgreSQL a NUL in a text parameter fails the query: such a key must never be sent (attack review)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", HTTP_COOKIE=cookie)
    assert response.status_code == 200
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)
