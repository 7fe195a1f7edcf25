"""Reads that assemble what the policy decides on. Pages, the admin, the API and exports all build their
`ProfileFacts` here, so they answer from the same facts: one query for an account's stored choices, whatever
the number of profiles or choices."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import GreaterThan

from accounts import selectors as account_selectors
from accounts.models import Account, Plan, Profile
from common import cache
from consent import history, policy
from consent.choices import EMAIL_CATEGORIES, REGISTRY, Choice, Page, Scope, always
from consent.models import (
    ChoiceValue,
    CompleteBelow,
    ConsentEvent,
    Cookie,
    CookieCategory,
    Device,
    EligibilityChange,
    EligibilityFeedHorizon,
    Jurisdiction,
)

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


def _all_profiles_opt_out_source(account_id: int) -> str:
    latest = (
        ConsentEvent.objects.filter(account_id=account_id, profile=None, choice=Choice.ALL_PROFILES_OPT_OUT)
        .order_by("-created_at", "-id")
        .values_list("new_value", "source")
        .first()
    )
    return latest[1] if latest is not None and latest[0] else ""


def all_profiles_opt_out_source(*, account: Account) -> str:
    """R-PDS-4: what turned the account-wide opt-out on (a Source value: the member's button, the signal sent
    from the primary profile, support staff), from its latest event; "" when it is not on or has no event.
    One query, or none while the shared cache holds it (under the account's version, like the stored choices)."""
    return cache.cached(
        account_selectors.ACCOUNT,
        account.pk,
        "all_profiles_opt_out_source",
        lambda: _all_profiles_opt_out_source(account.pk),
    )


def device_facts(*, device: Device) -> policy.DeviceFacts:
    """A device's reported settings (R-AD-1, R-PUSH-1), defaults filled in: one query."""
    stored = dict(ChoiceValue.objects.filter(device=device).values_list("choice", "value"))
    return policy.DeviceFacts(values=policy.current_values(stored, scopes=[Scope.DEVICE]))


@dataclass(frozen=True)
class DeviceShown:
    """One of the account's devices as /account/devices/ shows it (R-DEV-1)."""

    device: Device
    facts: policy.DeviceFacts
    last_seen: datetime  # the latest of the app's last report and the last recorded use of its token

    @property
    def limits_ad_tracking(self) -> bool:
        return self.facts.values[Choice.DEVICE_LIMIT_AD_TRACKING]

    @property
    def notifications(self) -> bool:
        return policy.push_allowed(self.facts)


def _reported(choice: str) -> str:
    return f"reported_{choice}"


def account_devices(*, account: Account) -> list[DeviceShown]:
    """R-DEV-1: the devices the app registered for the account, oldest first, each with its reported settings and
    when it was last seen: one query however many devices (each device setting is a subquery of the device's
    row; there are as many as the registry has device choices, not devices)."""
    settings = {
        _reported(spec.key): Subquery(
            ChoiceValue.objects.filter(device=OuterRef("pk"), choice=spec.key).values("value")[:1]
        )
        for spec in REGISTRY.scoped(Scope.DEVICE)
    }
    devices = list(
        Device.objects.filter(account=account)
        .annotate(token_used_at=Max("app_tokens__last_used_at"), **settings)
        .order_by("created_at", "pk")
    )
    return [
        DeviceShown(
            device=device,
            facts=policy.DeviceFacts(
                values=policy.current_values(
                    {
                        spec.key: value
                        for spec in REGISTRY.scoped(Scope.DEVICE)
                        if (value := getattr(device, _reported(spec.key))) is not None
                    },
                    scopes=[Scope.DEVICE],
                )
            ),
            last_seen=max(filter(None, (device.updated_at, device.token_used_at))),
        )
        for device in devices
    ]


def account_device(*, account: Account, device_id: UUID) -> Device | None:
    """One of the account's devices by its id, or None: another account's is as unknown as one that never was."""
    return Device.objects.filter(account=account, pk=device_id).first()


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


# The Account page's Marketing Communications section (R-MC-1) ----------------------------------------------


@dataclass(frozen=True)
class ProfileMarketing:
    """One profile's marketing communications: MIC and the email categories in effect."""

    profile: Profile
    mic: bool
    # R-EM-3: False for a kids profile, which gets no marketing email whatever its categories say.
    email: bool
    emails_on: tuple[str, ...]  # labels of the marketing email categories in effect, in registry order


@dataclass(frozen=True)
class MarketingCommunications:
    """What the section shows: every profile's MIC and email, and the account's text categories."""

    profiles: tuple[ProfileMarketing, ...]
    has_phone: bool
    texts_on: tuple[str, ...]  # labels of the text categories in effect (none without a phone on file)


def marketing_communications(
    *, account: Account, profiles: Iterable[Profile], stored: Stored
) -> MarketingCommunications:
    """R-MC-1 from already-loaded facts (the request's stored choices, its profiles, the account with its
    phone): no query. Each value is the policy's answer, the same one the senders ask."""
    email_specs = [REGISTRY[key] for key in EMAIL_CATEGORIES]
    text_specs = REGISTRY.on_page(Page.TEXTS)
    rows = []
    for profile in profiles:
        facts = facts_from(profile=profile, account=account, stored=stored)
        email = policy.marketing_email_to_profile(facts)
        rows.append(
            ProfileMarketing(
                profile=profile,
                mic=policy.mic_allowed(facts),
                email=email,
                emails_on=tuple(
                    str(spec.label) for spec in email_specs if email and policy.marketing_email_allowed(facts, spec.key)
                ),
            )
        )
    has_phone = account_selectors.account_phone(account=account) is not None
    values = account_facts_from(account=account, stored=stored).values
    return MarketingCommunications(
        profiles=tuple(rows),
        has_phone=has_phone,
        texts_on=tuple(
            str(spec.label)
            for spec in text_specs
            if policy.marketing_text_allowed(values, spec.key, has_phone=has_phone)
        ),
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


class Rules:
    """The jurisdiction rules (R-GPC-2, R-GPC-9, R-CK-2) and the cookie registry (R-CK-1), under one cache
    version. Each is read on first use: a page that needs only the region's rules (the banner's words) does
    not read the cookie registry, and a response that sets no cookie needs neither."""

    @cached_property
    def jurisdictions(self) -> Mapping[str, policy.JurisdictionRule]:
        """One query, or none while the shared cache holds them."""
        return cache.cached(RULES, "all", "jurisdiction_rules", _jurisdiction_rows)

    @cached_property
    def cookies(self) -> Mapping[str, str]:
        """Cookie name to category: one query, or none while the shared cache holds them."""
        return cache.cached(RULES, "all", "cookie_registry", _cookie_rows)

    def category_of(self, name: str) -> str:
        """A cookie's category; one missing from the registry counts as advertising, the strictest."""
        return self.cookies.get(name, policy.ADVERTISING)


def _jurisdiction_rows() -> dict[str, policy.JurisdictionRule]:
    return {
        code: policy.JurisdictionRule(honours_signal_from=signal_from, cookie_opt_in_from=opt_in_from)
        for code, signal_from, opt_in_from in Jurisdiction.objects.values_list(
            "code", "honours_signal_from", "cookie_opt_in_from"
        )
    }


def _cookie_rows() -> dict[str, str]:
    return dict(Cookie.objects.values_list("name", "category"))


def rules() -> Rules:
    """The rules, each part read (and kept in the shared cache) on first use."""
    return Rules()


def rules_changed(**kwargs: object) -> None:
    """A jurisdiction or cookie was saved or deleted: every process reads them afresh once that commits."""
    cache.changed(RULES, "all")


def cookies_by_category() -> dict[str, list[Cookie]]:
    """The cookie registry for the cookie choice tool, every category listed even when empty."""
    grouped: dict[str, list[Cookie]] = {category: [] for category in CookieCategory.values}
    for cookie in Cookie.objects.all():
        grouped[cookie.category].append(cookie)
    return grouped


# The change feed (R-API-3) ---------------------------------------------------------------------------------------

# A position in the feed: (transaction id, entry id). (0, 0) is before every entry.
FeedPosition = tuple[int, int]
FEED_START: FeedPosition = (0, 0)


@dataclass(frozen=True)
class FeedEntry:
    position: FeedPosition
    profile_id: UUID
    changed_at: datetime


class FeedOrder(Func):
    """(txid, id) as one row value, compared as a whole: the index on the feed's order then starts right after the
    cursor, however many entries one transaction wrote."""

    template = "(%(expressions)s)"
    output_field = BigIntegerField()


def _complete_entries() -> "QuerySet[EligibilityChange]":
    """Entries no transaction can still add to or come before: those of transactions older than every one still
    running (and the reader's own, should it have written any). On SQLite every committed entry."""
    return EligibilityChange.objects.filter(txid__lt=CompleteBelow())


def feed_page(*, after: FeedPosition, limit: int) -> list[FeedEntry]:
    """Up to `limit` entries after `after`, in feed order: one query. An entry that commits after this read always
    sorts after the last one returned, so following the positions never skips one."""
    txid, entry_id = after
    rows = (
        _complete_entries()
        .filter(GreaterThan(FeedOrder(F("txid"), F("id")), FeedOrder(Value(txid), Value(entry_id))))
        .order_by("txid", "id")
        .values_list("txid", "id", "profile_id", "created_at")[:limit]
    )
    return [FeedEntry((row_txid, row_id), profile_id, at) for row_txid, row_id, profile_id, at in rows]


def feed_head() -> FeedPosition:
    """The position after which every entry still to come will appear: the newest complete entry's, or the
    purge's horizon if that is newer. One or two queries."""
    newest = _complete_entries().order_by("-txid", "-id").values_list("txid", "id").first()
    return max(newest or FEED_START, feed_horizon())


def feed_horizon() -> FeedPosition:
    """The newest position the retention purge deleted (R-AU-3); FEED_START when nothing was purged."""
    horizon = EligibilityFeedHorizon.objects.order_by("-txid", "-change_id").values_list("txid", "change_id").first()
    return horizon or FEED_START
