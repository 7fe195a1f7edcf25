"""Whatever staff send the admin (a filter in the address bar, a form field, an action's selection), the answer is
a page, a form error or the admin's "invalid filter" redirect, never a 500, on SQLite and PostgreSQL alike. An
integer beyond what its column holds is refused before any query (SQLite's driver raised OverflowError on it).
"""

from http import HTTPStatus
from typing import cast

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Profile
from accounts.normalize import normalize_email
from common.admin_inputs import BoundedInputsMixin
from consent.models import ConsentEvent
from tests.factories import AccountFactory
from tests.helpers import change_form_data, events_since, last_event_id, profile_named, signed_in, staff_with

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

BEYOND_64_BITS = str(2**63)  # 9223372036854775808: one more than the largest BIGINT
INVALID_FILTER = "?e=1"


def test_every_admin_page_bounds_its_inputs():
    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    assert registered
    unbounded = [
        model._meta.label
        for model in registered
        if not isinstance(admin.site.get_model_admin(model), BoundedInputsMixin)
    ]
    assert unbounded == []


CHANGELISTS = {
    "account": "admin:accounts_account_changelist",
    "profile": "admin:accounts_profile_changelist",
    "event": "admin:consent_consentevent_changelist",
    "group": "admin:auth_group_changelist",
    "jurisdiction": "admin:consent_jurisdiction_changelist",
    "cookie": "admin:consent_cookie_changelist",
    "lockout": "admin:axes_accessattempt_changelist",
    "task": "admin:django_tasks_database_dbtaskresult_changelist",
}


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("account", f"groups={BEYOND_64_BITS}"),
        ("account", f"id__exact={BEYOND_64_BITS}"),
        ("account", f"id__in=1,{BEYOND_64_BITS}"),
        ("account", f"id__gt={BEYOND_64_BITS}"),
        ("account", f"id__lte=-{BEYOND_64_BITS}1"),
        ("account", f"groups__id__in={BEYOND_64_BITS}"),
        ("account", "date_joined__year=99999"),
        ("account", f"date_joined__month={BEYOND_64_BITS}"),
        ("profile", f"account__id__exact={BEYOND_64_BITS}"),
        ("profile", f"account={BEYOND_64_BITS}"),
        ("profile", f"account__in={BEYOND_64_BITS}"),
        ("profile", f"slot__in={BEYOND_64_BITS}"),
        ("event", f"id__exact={BEYOND_64_BITS}"),
        ("event", f"account__id__exact={BEYOND_64_BITS}"),
        ("event", f"account__id__in={BEYOND_64_BITS}"),
        ("event", f"acting_user__id__exact={BEYOND_64_BITS}"),
        ("event", f"profile__id__exact={BEYOND_64_BITS}"),
        ("event", f"created_at__year={BEYOND_64_BITS}"),
        ("event", f"created_at__year=2026&created_at__month={BEYOND_64_BITS}"),
        ("event", "created_at__year=9999&created_at__month=12"),
        ("group", f"permissions__id__in={BEYOND_64_BITS}"),
        ("jurisdiction", f"id__in={BEYOND_64_BITS}"),
        ("cookie", f"id__in={BEYOND_64_BITS}"),
        ("lockout", f"id__in={BEYOND_64_BITS}"),
        ("task", f"id__in={BEYOND_64_BITS}"),
    ],
)
def test_a_filter_no_row_can_match_gets_the_invalid_filter_redirect(staff_client, ads_account, page, query):
    url = reverse(CHANGELISTS[page])
    response = staff_client.get(f"{url}?{query}")
    assert (response.status_code, response["Location"]) == (HTTPStatus.FOUND, url + INVALID_FILTER)


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("account", "id__in=1,2"),
        ("account", "id__exact=9223372036854775807"),
        ("account", "date_joined__year=2026"),
        ("profile", "is_primary__exact=1&choice_mic=on"),
        ("event", "created_at__year=2026&created_at__month=1"),
        ("event", "source=admin"),
    ],
)
def test_a_filter_within_range_still_lists(staff_client, ads_account, page, query):
    assert staff_client.get(f"{reverse(CHANGELISTS[page])}?{query}").status_code == HTTPStatus.OK


def test_a_group_beyond_range_is_a_form_error_and_changes_nothing(client, ads_account):
    client.force_login(staff_with(superuser=True))
    url = reverse("admin:accounts_account_change", args=[ads_account.pk])

    response = client.post(url, change_form_data(client, url, groups=[BEYOND_64_BITS], region="US-TX"))

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["groups"] == [
        f"Select a valid choice. {BEYOND_64_BITS} is not one of the available choices."
    ]
    account = Account.objects.get(pk=ads_account.pk)
    assert (account.region, list(account.groups.all())) == ("US-CA", [])


def test_a_permission_beyond_range_is_a_form_error_on_a_group(client):
    client.force_login(staff_with(superuser=True))
    response = client.post(reverse("admin:auth_group_add"), {"name": "support", "permissions": [BEYOND_64_BITS]})
    assert response.status_code == HTTPStatus.OK
    assert "permissions" in response.context["adminform"].form.errors
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    ("changelist", "action", "selected"),
    [
        ("admin:accounts_account_changelist", "opt_accounts_out_of_all", [BEYOND_64_BITS]),
        ("admin:accounts_account_changelist", "delete_selected", ["abc"]),
        ("admin:accounts_profile_changelist", "opt_profiles_out_of_all", ["not-a-uuid"]),
    ],
)
def test_an_action_on_a_selection_that_cannot_exist_changes_nothing(
    staff_client, ads_account, changelist, action, selected
):
    mark = last_event_id()
    url = reverse(changelist)
    response = staff_client.post(url, {"action": action, "_selected_action": selected, "index": "0"}, follow=True)
    assert response.redirect_chain == [(url, HTTPStatus.FOUND)]
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was changed: the selection names items that do not exist."
    ]
    assert events_since(mark) == []
    assert Account.objects.filter(pk=ads_account.pk).exists()


def account_form(account: Account, **changes: object) -> dict[str, object]:
    """The account change form as the admin posts it, with no profile or phone forms changed."""
    management = {
        f"{prefix}-{name}": "0" for prefix in ("profiles", "phone") for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    fields = {"email": account.email, "plan": account.plan, "region": account.region, "is_active": "on"}
    return fields | management | changes


# --- any input, as many examples as the Hypothesis profile runs -------------------------------------------------

integers_of_any_size = st.integers(min_value=-(2**70), max_value=2**70).map(str)
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
filter_values = st.one_of(
    integers_of_any_size,
    st.lists(integers_of_any_size, min_size=1, max_size=3).map(",".join),
    st.sampled_from(["", "0", "-1", "1", "2026", "9999", "10000", BEYOND_64_BITS, "1e3", " 7 ", "\uff11\uff12"]),
    any_text,
)
filter_lookups = {
    "account": [
        "id",
        "id__exact",
        "id__in",
        "id__gt",
        "id__lt",
        "pk",
        "groups",
        "groups__id__in",
        "date_joined__year",
        "date_joined__month",
        "date_joined__day",
        "date_joined__hour",
        "plan__exact",
        "is_staff__exact",
        "choice_all_profiles_opt_out",
    ],
    "profile": ["account", "account__id__exact", "account__in", "slot", "slot__gte", "is_kids__exact", "choice_mic"],
    "event": [
        "id__exact",
        "account__id__exact",
        "acting_user__id__exact",
        "profile__id__exact",
        "created_at__year",
        "created_at__month",
        "created_at__day",
        "created_at__gte",
        "old_value__exact",
        "source",
        "choice",
        "jurisdiction",
    ],
}
filters = st.sampled_from(sorted(filter_lookups)).flatmap(
    lambda page: st.tuples(
        st.just(page), st.dictionaries(st.sampled_from(filter_lookups[page]), filter_values, min_size=1, max_size=3)
    )
)


@PROPERTY
@given(page_and_query=filters)
def test_any_changelist_filter_answers_a_list_or_the_invalid_filter_redirect(staff_client, ads_account, page_and_query):
    page, query = page_and_query
    url = reverse(CHANGELISTS[page])
    response = staff_client.get(url, query)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    if response.status_code == HTTPStatus.FOUND:
        assert response["Location"] == url + INVALID_FILTER


pk_like = st.one_of(integers_of_any_size, st.uuids().map(str), any_text)


@PROPERTY
@given(groups=st.lists(pk_like, max_size=3))
def test_any_groups_posted_answer_the_form_or_save_only_real_ones(staff_client, ads_account, groups):
    """The field class every admin's many-to-many fields get (Group's permissions too: tested above)."""
    group = Group.objects.get_or_create(name="support")[0]
    url = reverse("admin:accounts_account_change", args=[ads_account.pk])

    response = staff_client.post(url, account_form(ads_account, groups=[*groups, str(group.pk)]))

    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    saved = set(ads_account.groups.values_list("pk", flat=True))
    if response.status_code == HTTPStatus.FOUND:
        assert saved == {group.pk}
    else:  # a form error: nothing saved beyond what an earlier example saved
        assert saved <= {group.pk}


@PROPERTY
@given(
    changelist=st.sampled_from(["admin:accounts_account_changelist", "admin:accounts_profile_changelist"]),
    action=st.sampled_from(["opt_accounts_out_of_all", "opt_profiles_out_of_all", "delete_selected", ""]),
    selected=st.lists(pk_like, min_size=1, max_size=3),
)
def test_any_action_selection_answers_without_a_server_error(staff_client, ads_account, changelist, action, selected):
    response = staff_client.post(reverse(changelist), {"action": action, "_selected_action": selected, "index": "0"})
    # 403: an action this list does not offer (accounts.admin_permissions).
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN}
    assert Profile.objects.filter(account=ads_account).count() == 3
    assert ConsentEvent.objects.filter(account=ads_account).exists()
    assert profile_named(ads_account, "Alex")


emails = st.emails().map(lambda e: e[:254])
email_inputs = st.one_of(
    emails,
    emails.map(str.upper),
    emails.map(lambda e: f"  {e}\t"),
    st.sampled_from(
        ["taken@example.com", "TAKEN@EXAMPLE.COM", " Taken@Example.com ", "", "@", "a@b", "a" * 250 + "@x.io"]
    ),
    st.builds(lambda a, b: f"{a}@{b}", any_text, any_text),
    any_text,
)


@pytest.fixture
def may_change_emails():
    return signed_in(staff_with("view_account", "change_account", "change_account_email"))


@pytest.fixture
def member_beside_another(db) -> Account:
    AccountFactory(email="taken@example.com")
    return cast(Account, AccountFactory(email="member@example.com"))


@PROPERTY
@given(email=email_inputs)
def test_any_email_staff_post_is_stored_normalised_audited_and_announced_or_refused__R_AU_4(
    may_change_emails, member_beside_another, django_capture_on_commit_callbacks, email
):
    member = member_beside_another
    url = reverse("admin:accounts_account_change", args=[member.pk])
    mark = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = may_change_emails.post(url, account_form(member, email=email))

    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    stored = Account.objects.values_list("email", flat=True).get(pk=member.pk)
    if response.status_code == HTTPStatus.FOUND and stored != "member@example.com":
        assert stored == normalize_email(email)
        assert [event[1] for event in events_since(mark)] == ["email_changed"]
        assert [message.to for message in mail.outbox] == [["member@example.com"]]
    else:
        assert stored == "member@example.com"
        assert (events_since(mark), mail.outbox) == ([], [])
    Account.objects.filter(pk=member.pk).update(email="member@example.com")
    mail.outbox.clear()
