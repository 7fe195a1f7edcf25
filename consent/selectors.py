"""Reads that assemble what the policy decides on. Pages, the admin, the API and exports all build their
`ProfileFacts` here, so they answer from the same facts: one query for an account's stored choices, whatever
the number of profiles or choices."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import BigIntegerField, Exists, F, Func, OuterRef, QuerySet, Value
from django.db.models.lookups import GreaterThan

from accounts import selectors as account_selectors
from accounts.models import Account, Profile
from common import cache
from consent import history, policy
from consent.choices import REGISTRY, Choice, Scope, always
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


def device_facts(*, device: Device) -> policy.DeviceFacts:
    """A device's reported settings (R-AD-1, R-PUSH-1), defaults filled in: one query."""
    stored = dict(ChoiceValue.objects.filter(device=device).values_list("choice", "value"))
    return policy.DeviceFacts(values=policy.current_values(stored, scopes=[Scope.DEVICE]))


def facts_by_profile_id(profile_ids: Iterable[UUID]) -> dict[UUID, policy.ProfileFacts]:
    """Facts of any profiles, of any accounts, in two queries however many (the API's batch form). Profiles
    that do not exist are simply absent."""
    return {pk: facts for pk, (facts, _has_phone) in facts_and_phone_by_profile_id(profile_ids).items()}


def facts_and_phone_by_profile_id(profile_ids: Iterable[UUID]) -> dict[UUID, tuple[policy.ProfileFacts, bool]]:
    """Facts of any profiles, each with whether its account has a phone on file (R-SMS-2), in two queries."""
    profiles = list(Profile.objects.select_related("account__phone").filter(pk__in=list(profile_ids)))
    stored: dict[int, Stored] = {}
    rows = ChoiceValue.objects.filter(account_id__in={p.account_id for p in profiles}, device=None)
    for account_id, profile_id, choice, value in rows.values_list("account_id", "profile_id", "choice", "value"):
        stored.setdefault(account_id, {}).setdefault(profile_id, {})[choice] = value
    return {
        profile.pk: (
            facts_from(profile=profile, account=profile.account, stored=stored.get(profile.account_id, {})),
            account_selectors.account_phone(account=profile.account) is not None,
        )
        for profile in profiles
    }


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
