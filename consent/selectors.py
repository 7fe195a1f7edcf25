"""Reads that assemble what the policy decides on. Pages, the admin, the API and exports all build their
`ProfileFacts` here, so they answer from the same facts: one query for an account's stored choices, whatever
the number of profiles or choices."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import BooleanField, CharField, Exists, F, Func, OuterRef, QuerySet, UUIDField, Value
from django.db.models.functions import Cast, Concat

from accounts import selectors as account_selectors
from accounts.models import Account, Plan, Profile
from common import cache
from consent import history, policy
from consent.choices import REGISTRY, Choice, Scope, always
from consent.models import ChoiceValue, ConsentEvent, Cookie, CookieCategory, Device, Jurisdiction

# Stored values by subject: a profile's id, or None for the account's own (account-scoped) choices.
Stored = dict[UUID | None, dict[str, bool]]


def _stored_rows(account_id: int) -> Stored:
    stored: Stored = {}
    rows = ChoiceValue.objects.filter(account_id=account_id, device=None).values_list("profile_id", "choice", "value")
    for profile_id, choice, value in rows:
        stored.setdefault(profile_id, {})[choice] = value
    return stored


def stored_values(*, account: Account) -> Stored:
    """Every stored choice of the account and its profiles: one query, or none while the shared cache holds
    them (kept under the account's version, accounts.selectors.ACCOUNT, which consent.services replaces on
    every committed change). Inside a transaction, always the database."""
    return cache.cached(account_selectors.ACCOUNT, account.pk, "choices", lambda: _stored_rows(account.pk))


def facts_from(*, profile: Profile, account: Account, stored: Stored) -> policy.ProfileFacts:
    """A profile's facts from already-loaded stored values (no query)."""
    values = policy.current_values(stored.get(profile.pk, {}), scopes=[Scope.PROFILE])
    values.update(policy.current_values(stored.get(None, {}), scopes=[Scope.ACCOUNT]))
    return policy.ProfileFacts(
        plan_has_ads=account.plan_has_ads, is_kids=profile.is_kids, is_primary=profile.is_primary, values=values
    )


def profile_facts(*, profile: Profile, account: Account) -> policy.ProfileFacts:
    """One profile's facts: one query."""
    return facts_from(profile=profile, account=account, stored=stored_values(account=account))


def profiles_facts(*, account: Account, profiles: Iterable[Profile]) -> dict[UUID, policy.ProfileFacts]:
    """Facts of several profiles of one account: one query, however many profiles."""
    stored = stored_values(account=account)
    return {profile.pk: facts_from(profile=profile, account=account, stored=stored) for profile in profiles}


def account_facts_from(*, account: Account, stored: Stored) -> policy.ProfileFacts:
    """The account's own facts (its account-scoped choices) from already-loaded stored values (no query)."""
    return policy.account_facts(plan_has_ads=account.plan_has_ads, stored=stored.get(None, {}))


def account_values(*, account: Account) -> Mapping[str, bool]:
    """The account's own (account-scoped) choices, defaults filled in: one query at most."""
    return account_facts_from(account=account, stored=stored_values(account=account)).values


def all_profiles_opted_out(*, account: Account) -> bool:
    """R-PDS-4: whether "Opt all profiles out of all" is in force for the account."""
    return account_values(account=account)[Choice.ALL_PROFILES_OPT_OUT]


def device_facts(*, device: Device) -> policy.DeviceFacts:
    """A device's reported settings (R-AD-1, R-PUSH-1), defaults filled in: one query."""
    stored = dict(ChoiceValue.objects.filter(device=device).values_list("choice", "value"))
    return policy.DeviceFacts(values=policy.current_values(stored, scopes=[Scope.DEVICE]))


def facts_by_profile_id(profile_ids: Iterable[UUID]) -> dict[UUID, policy.ProfileFacts]:
    """Facts of any profiles, of any accounts, in one query on PostgreSQL or two elsewhere, however many. Profiles
    that do not exist are simply absent."""
    return {pk: facts for pk, (facts, _has_phone) in facts_and_phone_by_profile_id(profile_ids).items()}


# A profile's row for the batch read: id, is_kids, is_primary, its account's plan, whether it has a phone, and the
# stored values of the profile and of its account, each as sorted (choice key, value) pairs.
Pairs = tuple[tuple[str, bool], ...]
BatchRow = tuple[UUID, bool, bool, str, bool, Pairs, Pairs]
_BATCH_FIELDS = ("pk", "account_id", "is_kids", "is_primary", "account__plan", "account__phone__id")


def _batch_rows_one_query(profiles: "QuerySet[Profile]") -> list[BatchRow]:
    """PostgreSQL: the profiles with their stored values as two arrays of "choice=true" texts each, one query."""
    pair = Concat("choice", Value("="), Cast("value", output_field=CharField()), output_field=CharField())
    own = ChoiceValue.objects.filter(profile=OuterRef("pk")).values_list(pair)
    shared = ChoiceValue.objects.filter(account=OuterRef("account_id"), profile=None, device=None).values_list(pair)
    parsed: dict[tuple[str, ...], Pairs] = {}

    def pairs(texts: list[str]) -> Pairs:
        key = tuple(sorted(texts))
        if key not in parsed:  # few distinct arrays in a batch: each is read once
            parsed[key] = tuple((choice, value == "true") for choice, _, value in (t.rpartition("=") for t in key))
        return parsed[key]

    rows = profiles.values_list(*_BATCH_FIELDS, ArraySubquery(own), ArraySubquery(shared))
    return [
        (pk, is_kids, is_primary, plan, phone_id is not None, pairs(own_texts), pairs(shared_texts))
        for pk, _account_id, is_kids, is_primary, plan, phone_id, own_texts, shared_texts in rows
    ]


def _batch_rows_two_queries(profiles: "QuerySet[Profile]") -> list[BatchRow]:
    """Any database: the profiles, then every stored value of their accounts."""
    found = list(profiles.values_list(*_BATCH_FIELDS))
    stored: dict[int, Stored] = {}
    rows = ChoiceValue.objects.filter(account_id__in={row[1] for row in found}, device=None)
    for account_id, profile_id, choice, value in rows.values_list("account_id", "profile_id", "choice", "value"):
        stored.setdefault(account_id, {}).setdefault(profile_id, {})[choice] = value
    batch = []
    for pk, account_id, is_kids, is_primary, plan, phone_id in found:
        account_stored = stored.get(account_id, {})
        own, shared = account_stored.get(pk, {}), account_stored.get(None, {})
        batch.append(
            (pk, is_kids, is_primary, plan, phone_id is not None, *(tuple(sorted(d.items())) for d in (own, shared)))
        )
    return batch


def facts_and_phone_by_profile_id(profile_ids: Iterable[UUID]) -> dict[UUID, tuple[policy.ProfileFacts, bool]]:
    """Facts of any profiles, each with whether its account has a phone on file (R-SMS-2): the API's batch read
    (R-API-1), as plain rows, never model instances. One query on PostgreSQL (the stored values come as arrays,
    ArraySubquery), two elsewhere. Profiles that do not exist are simply absent."""
    wanted = list(profile_ids)
    if connections[Profile.objects.all().db].vendor == "postgresql":
        # `id = ANY(<one array parameter>)`: not a thousand placeholders that the driver parses on every call.
        ids = Cast(Value([str(pk) for pk in wanted]), output_field=ArrayField(UUIDField()))
        asked = Func(F("pk"), ids, template="(%(expressions)s))", arg_joiner=" = ANY(", output_field=BooleanField())
        rows = _batch_rows_one_query(Profile.objects.filter(asked).order_by())
    else:
        rows = _batch_rows_two_queries(Profile.objects.filter(pk__in=wanted).order_by())
    # Most profiles share their stored values and flags with many others: each distinct set is read once.
    known: dict[tuple[object, ...], policy.ProfileFacts] = {}
    found: dict[UUID, tuple[policy.ProfileFacts, bool]] = {}
    for pk, is_kids, is_primary, plan, has_phone, own, shared in rows:
        key = (plan, is_kids, is_primary, own, shared)
        facts = known.get(key)
        if facts is None:
            values = policy.current_values(dict(own), scopes=[Scope.PROFILE])
            values.update(policy.current_values(dict(shared), scopes=[Scope.ACCOUNT]))
            facts = known[key] = policy.ProfileFacts(
                plan_has_ads=Plan.has_ads(plan), is_kids=is_kids, is_primary=is_primary, values=values
            )
        found[pk] = (facts, has_phone)
    return found


def mic_audience() -> "QuerySet[Account, tuple[str, object]]":
    """R-MIC-2: (email, phone) of every active account with at least one profile, all of whose profiles allow
    MIC, as one query (so it reads one snapshot and can stream).

    The same rule as policy.mic_allowed, written in SQL so the export need not load every account's facts:
    MIC applies to every profile (its registry predicate is `always`), so a profile allows it exactly when its
    stored value, else the registry's default, is on.
    """
    spec = REGISTRY[Choice.MIC]
    if spec.applies is not always:  # pragma: no cover - a guard for whoever changes the registry entry
        raise NotImplementedError("mic_audience assumes MIC applies to every profile")
    mic_rows = ChoiceValue.objects.filter(profile=OuterRef("pk"), choice=Choice.MIC)
    if spec.default:
        # No row means on: a profile is out only with a stored "off".
        blocking = Profile.objects.filter(account=OuterRef("pk")).filter(Exists(mic_rows.filter(value=False)))
    else:
        # No row means off: a profile is out unless it stored "on".
        blocking = Profile.objects.filter(account=OuterRef("pk")).exclude(Exists(mic_rows.filter(value=True)))
    return (
        Account.objects.filter(is_active=True)
        .filter(Exists(Profile.objects.filter(account=OuterRef("pk"))))
        .exclude(Exists(blocking))
        .order_by("pk")
        .values_list("email", "phone__number")
    )


# The member's privacy history (R-HIST-1) ----------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryFilter:
    """Which part of the account's history: everything (both None/False), one profile, or the account's own
    choices and its devices' (`account_only`)."""

    profile_id: UUID | None = None
    account_only: bool = False


def history_events(
    *, account: Account, only: HistoryFilter = HistoryFilter()
) -> "QuerySet[ConsentEvent, dict[str, Any]]":
    """The account's consent events, newest first, as the fields the history reads (consent.history.FIELDS):
    one query for a page (a slice) or a download (iterated), never a query per event. Only this account's:
    a profile id of another account matches nothing."""
    events = ConsentEvent.objects.filter(account=account)
    if only.profile_id is not None:
        events = events.filter(profile_id=only.profile_id)
    elif only.account_only:
        events = events.filter(profile_id__isnull=True)
    return events.order_by("-created_at", "-id").values(*history.FIELDS)


def history_subjects(
    *, account: Account, profiles: Iterable[Profile], events: Iterable[Mapping[str, Any]] | None = None
) -> history.Subjects:
    """The names the history gives its subjects: the account's profiles (already loaded: no query) and its devices
    (one query; none when `events`, the events to be shown, name no device)."""
    names = {profile.pk: profile.name for profile in profiles}
    if events is not None and not any("device" in event["context"] for event in events):
        return history.Subjects(profiles=names, devices={})
    devices = Device.objects.filter(account=account).only("id", "platform", "created_at")
    return history.Subjects(
        profiles=names,
        devices={
            device.event_ref: history.DeviceRef(platform=device.get_platform_display(), added=device.created_at)
            for device in devices
        },
    )


# Jurisdictions and the cookie registry: small tables read on many requests (the signal's and the cookie rules,
# every cookie a response sets), kept in the shared cache under one version that a committed change to either
# replaces (consent.apps connects rules_changed), so every process reads them afresh on its next request.
RULES = "rules"


@dataclass(frozen=True)
class Rules:
    """The jurisdiction rules (R-GPC-2, R-GPC-9, R-CK-2) and the cookie registry (R-CK-1), read together."""

    jurisdictions: Mapping[str, policy.JurisdictionRule]
    cookies: Mapping[str, str]  # cookie name to category

    def category_of(self, name: str) -> str:
        """A cookie's category; one missing from the registry counts as advertising, the strictest."""
        return self.cookies.get(name, policy.ADVERTISING)


def _rules_rows() -> Rules:
    jurisdictions = {
        code: policy.JurisdictionRule(honours_signal_from=signal_from, cookie_opt_in_from=opt_in_from)
        for code, signal_from, opt_in_from in Jurisdiction.objects.values_list(
            "code", "honours_signal_from", "cookie_opt_in_from"
        )
    }
    return Rules(jurisdictions=jurisdictions, cookies=dict(Cookie.objects.values_list("name", "category")))


def rules() -> Rules:
    """Two queries, or none while the shared cache holds them."""
    return cache.cached(RULES, "all", "rules", _rules_rows)


def rules_changed(**kwargs: object) -> None:
    """A jurisdiction or cookie was saved or deleted: every process reads them afresh once that commits."""
    cache.changed(RULES, "all")


def cookies_by_category() -> dict[str, list[Cookie]]:
    """The cookie registry for the cookie choice tool, every category listed even when empty."""
    grouped: dict[str, list[Cookie]] = {category: [] for category in CookieCategory.values}
    for cookie in Cookie.objects.all():
        grouped[cookie.category].append(cookie)
    return grouped
